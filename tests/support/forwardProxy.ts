/**
 * A forward HTTP proxy on loopback for storage clients: it stands for the client's network link.
 *
 *   const proxy = await startForwardProxy({ linkMiBps: 50 });
 *   new BlobServiceClient(azurite.blobEndpoint("devstore"), cred, { proxyOptions: proxy.proxyOptions });
 *   proxy.bytes            // { up, down }: bytes that crossed the link (headers and bodies)
 *   proxy.inject({ method: "PUT", path: /weights/, kind: "reset" });
 *   await proxy.close();
 *
 * URLs keep naming the real service, so anything the service does by itself (Azurite fetching a
 * copy source) never crosses this "link" — as with a server-side copy in Azure. `linkMiBps`
 * throttles each direction independently, shared by all connections, like one uplink/downlink.
 * Faults (`reset`: the client's socket is destroyed; `status`: an error answer with a storage error
 * body) apply to requests matching `method` and `path` (RegExp, or substring of the URL path).
 */
import * as http from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";

export interface ForwardProxyOptions {
  /** Link speed in MiB/s for each direction; unthrottled when omitted or 0. */
  linkMiBps?: number;
}

export interface ProxyFault {
  method?: string;
  path: RegExp | string;
  kind: "reset" | "status";
  /** For `status`: the code (default 500) and storage error code (default `InternalError`). */
  status?: number;
  code?: string;
  times?: number;
}

export interface ProxiedRequest {
  method: string;
  url: string;
  status: number;
  fault?: ProxyFault["kind"];
  headers: http.IncomingHttpHeaders;
}

export interface ForwardProxy {
  port: number;
  /** For `@azure/storage-blob` / core-rest-pipeline clients. */
  proxyOptions: { host: string; port: number };
  bytes: { up: number; down: number };
  requests: ProxiedRequest[];
  inject(fault: ProxyFault): void;
  /** Calls `listener` for every request as it arrives, before faults and forwarding. */
  onRequest(listener: (request: ProxiedRequest) => void): void;
  pendingFaults(): number;
  reset(): void;
  close(): Promise<void>;
}

/** A shared byte budget that refills at `bytesPerSecond`; callers wait for their share. */
class Throttle {
  private nextFree = 0;
  constructor(private readonly bytesPerSecond: number) {}
  async take(n: number): Promise<void> {
    if (!this.bytesPerSecond) return;
    const now = Date.now();
    const start = Math.max(now, this.nextFree);
    this.nextFree = start + (n / this.bytesPerSecond) * 1000;
    const wait = this.nextFree - now;
    if (wait >= 2) await new Promise((r) => setTimeout(r, wait));
  }
}

/** Pipes `from` into `to` through a throttle, counting bytes. */
function pump(from: NodeJS.ReadableStream, to: NodeJS.WritableStream, throttle: Throttle, count: (n: number) => void, done: () => void): void {
  (async () => {
    for await (const chunk of from as AsyncIterable<Buffer>) {
      count(chunk.length);
      await throttle.take(chunk.length);
      if (!to.write(chunk)) await new Promise((r) => to.once("drain", r));
    }
  })().then(done, () => done());
}

export async function startForwardProxy(options: ForwardProxyOptions = {}): Promise<ForwardProxy> {
  const rate = (options.linkMiBps ?? 0) * 1024 * 1024;
  const upLink = new Throttle(rate);
  const downLink = new Throttle(rate);
  const bytes = { up: 0, down: 0 };
  const requests: ProxiedRequest[] = [];
  const faults: (ProxyFault & { left: number })[] = [];
  const agent = new http.Agent({ keepAlive: true });
  const sockets = new Set<net.Socket>();
  const requestListeners: ((request: ProxiedRequest) => void)[] = [];

  const headerBytes = (h: http.IncomingHttpHeaders | http.OutgoingHttpHeaders) =>
    Object.entries(h).reduce((n, [k, v]) => n + k.length + String(v).length + 4, 0);

  const server = http.createServer((req, res) => {
    const target = new URL(req.url ?? "/");
    const method = req.method ?? "GET";
    const record: ProxiedRequest = { method, url: req.url ?? "", status: 0, headers: req.headers };
    requests.push(record);
    for (const listener of requestListeners) listener(record);
    bytes.up += headerBytes(req.headers);
    const fault = faults.find(
      (f) =>
        f.left > 0 &&
        (!f.method || f.method.toUpperCase() === method) &&
        (typeof f.path === "string" ? target.pathname.includes(f.path) : f.path.test(target.pathname)),
    );
    if (fault) {
      fault.left--;
      record.fault = fault.kind;
      if (fault.kind === "reset") {
        req.socket.destroy();
        return;
      }
      req.resume();
      req.once("end", () => {
        record.status = fault.status ?? 500;
        const code = fault.code ?? "InternalError";
        res
          .writeHead(record.status, { "content-type": "application/xml", "x-ms-error-code": code })
          .end(`<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>Injected fault.</Message></Error>`);
      });
      return;
    }
    const headers = { ...req.headers };
    delete headers["proxy-connection"];
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: target.pathname + target.search, method, headers, agent },
      (up) => {
        record.status = up.statusCode ?? 0;
        bytes.down += headerBytes(up.headers);
        res.writeHead(up.statusCode ?? 502, up.headers);
        pump(up, res, downLink, (n) => (bytes.down += n), () => res.end());
      },
    );
    upstream.on("error", () => req.socket.destroy());
    pump(req, upstream, upLink, (n) => (bytes.up += n), () => upstream.end());
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    proxyOptions: { host: "http://127.0.0.1", port },
    bytes,
    requests,
    inject: (f) => void faults.push({ ...f, left: f.times ?? 1 }),
    onRequest: (listener) => void requestListeners.push(listener),
    pendingFaults: () => faults.reduce((n, f) => n + f.left, 0),
    reset() {
      bytes.up = 0;
      bytes.down = 0;
      requests.splice(0, requests.length);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}
