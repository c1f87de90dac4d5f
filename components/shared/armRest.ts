import { API_VERSIONS, PUBLIC_ARM_ENDPOINT, RequestSender, sendArmJson } from "./azure";
import { isNamedError, namedError } from "./namedError";

/**
 * JSON requests to Azure Resource Manager sent through an Azure SDK client's own pipeline (its
 * credential, retry and throttling policies, user agent), with the api-version and body chosen here.
 *
 * Why not the generated operations: `@azure/arm-machinelearning` 2.1.1 pins api-version 2022-10-01
 * and its serializer drops properties its mappers do not know, e.g. `uri`/`mode` of asset inputs of
 * pipeline jobs (Azure/azure-sdk-for-js#29328). Pipeline components and pipeline-job nodes need a
 * newer api-version and the body exactly as written, so we send bodies ourselves.
 */

/** Stable Azure ML api-version with pipeline components and full job input shapes (components/shared/azure.ts). */
const ML_API_VERSION = API_VERSIONS.machineLearningAssets;

/** The part of an Azure SDK `ServiceClient` we use: anything that sends a request through a pipeline. */
export type { RequestSender };

export interface ArmResponse<T = any> {
  status: number;
  body: T | undefined;
}

/** A failed ARM request: the status and the service's code (a `namedError`, as provider code throws). */
export interface ArmError extends Error {
  name: "ArmError";
  method: string;
  path: string;
  status: number;
  code: string;
}

export function armError(method: string, path: string, status: number, code: string, detail: string): ArmError {
  return namedError("ArmError", `${method} ${path} failed: ${status} ${code}: ${detail}`, { method, path, status, code });
}

export const isArmError = (e: unknown): e is ArmError => isNamedError<ArmError>(e, "ArmError");

export interface ArmCounters {
  reads: number;
  writes: number;
}

export class ArmRest {
  /** Calls made through this instance, by kind: what the publish-noop benchmark reports. */
  readonly counters: ArmCounters = { reads: 0, writes: 0 };

  constructor(
    private readonly sender: RequestSender,
    private readonly endpoint: string = PUBLIC_ARM_ENDPOINT,
    private readonly apiVersion: string = ML_API_VERSION,
  ) {}

  url(path: string, query: Record<string, string> = {}): string {
    const params = new URLSearchParams({ "api-version": this.apiVersion, ...query });
    return `${this.endpoint.replace(/\/+$/, "")}${path}?${params.toString()}`;
  }

  /** The resource, or undefined when ARM answers 404. */
  async get<T = any>(path: string, query: Record<string, string> = {}): Promise<T | undefined> {
    const res = await this.send("GET", path, undefined, query);
    if (res.status === 404) return undefined;
    this.check("GET", path, res);
    return res.body as T;
  }

  async put<T = any>(path: string, body: unknown): Promise<T> {
    const res = await this.send("PUT", path, body);
    this.check("PUT", path, res);
    return res.body as T;
  }

  /** Deletes; true when something was deleted, false when it was already gone. */
  async delete(path: string): Promise<boolean> {
    const res = await this.send("DELETE", path);
    if (res.status === 404 || res.status === 204) return false;
    this.check("DELETE", path, res);
    return true;
  }

  async post<T = any>(path: string, body?: unknown): Promise<ArmResponse<T>> {
    const res = await this.send("POST", path, body);
    this.check("POST", path, res);
    return res as ArmResponse<T>;
  }

  async send(method: string, path: string, body?: unknown, query: Record<string, string> = {}): Promise<ArmResponse> {
    if (method === "GET") this.counters.reads++;
    else this.counters.writes++;
    const { status, body: answer } = await sendArmJson(this.sender, method, this.url(path, query), body);
    return { status, body: answer };
  }

  private check(method: string, path: string, res: ArmResponse): void {
    if (res.status >= 200 && res.status < 300) return;
    const error = (res.body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw armError(method, path, res.status, error?.code ?? "Unknown", error?.message ?? String(res.body ?? ""));
  }
}
