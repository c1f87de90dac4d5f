/**
 * A mock resource monitor that keeps the whole register request of every resource. The plain mocks
 * only see type, name and deserialized inputs; a plan also needs parent, dependencies, protect and
 * the exact position of secrets and unknowns, which only the request carries.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor, Mocks } from "@pulumi/pulumi/runtime/mocks";

/** What one registration looked like on the wire. */
export interface Registration {
  urn: string;
  type: string;
  name: string;
  parent: string;
  custom: boolean;
  protect: boolean;
  dependencies: string[];
  /** Property struct as sent (`Struct.toJavaScript()`), secrets and unknowns still encoded. */
  object: Record<string, unknown>;
  /** true for `read` (stack references, `Resource.get`). */
  read: boolean;
  /** Registration order, to keep the plan's order stable. */
  seq: number;
}

/** The type of the stack's root resource, every top-level resource's parent in a deployment. */
export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/**
 * `urn:pulumi:<stack>::<project>::<parent type chain>$<type>::<name>`, as the engine builds it. The
 * root stack is left out of the chain, as the SDK's `createUrn` leaves it out
 * (`@pulumi/pulumi/resource.js`: "Don't prefix the stack type as a parent type").
 */
export function qualifiedUrn(parent: string, type: string, name: string): string {
  const parentType = parent ? parent.split("::")[2] : undefined;
  const qualified = parentType && parentType !== ROOT_STACK_TYPE ? `${parentType}$${type}` : type;
  return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualified}::${name}`;
}

type Callback = (err: unknown, response: unknown) => void;

export class RecordingMonitor extends MockMonitor {
  readonly registrations: Registration[] = [];
  private seq = 0;
  /** The root stack's URN: not a declared resource, so neither recorded nor shown as a parent. */
  private rootUrn = "";

  constructor(mocks: Mocks) {
    super(mocks);
    // The engine qualifies a child's type with its parent's whole type chain; the stock mock keeps only
    // the last link, which would give deeply nested resources URNs that `pulumi up` never produces.
    (this as unknown as { newUrn: typeof qualifiedUrn }).newUrn = qualifiedUrn;
  }

  override async registerResource(req: any, callback: Callback): Promise<void> {
    await super.registerResource(req, this.recording(req, false, callback));
  }

  override async readResource(req: any, callback: Callback): Promise<void> {
    await super.readResource(req, this.recording(req, true, callback));
  }

  /** Wraps the mock's callback so a successful registration (or read) is recorded in call order. */
  private recording(req: any, read: boolean, callback: Callback): Callback {
    const seq = this.seq++;
    return (err: unknown, response: any) => {
      if (!err && response && !read && req.getType() === ROOT_STACK_TYPE && !req.getParent()) {
        this.rootUrn = response.getUrn();
      } else if (!err && response) {
        const parent = req.getParent();
        this.registrations.push({
          urn: response.getUrn(),
          type: req.getType(),
          name: req.getName(),
          parent: parent === this.rootUrn ? "" : parent,
          // Reads (stack references, `.get()`) are custom and never protected.
          custom: read ? true : req.getCustom(),
          protect: read ? false : req.hasProtect?.() ? req.getProtect() : Boolean(req.getProtect()),
          dependencies: [...req.getDependenciesList()],
          object: (read ? req.getProperties() : req.getObject())?.toJavaScript() ?? {},
          read,
          seq,
        });
      }
      callback(err, response);
    };
  }

  /**
   * Same answers as `setMocks` gives (secrets and resource references on, output values and
   * transforms off), so `awaitFeatureSupport` reproduces its settings after this monitor is installed.
   */
  override supportsFeature(req: any, callback: Callback): void {
    const off = new Set(["outputValues", "transforms", "invokeTransforms"]);
    const id = req.getId();
    callback(null, { getHassupport: () => !off.has(id) });
  }
}
