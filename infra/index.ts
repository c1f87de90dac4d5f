/**
 * Pulumi program entry (Pulumi.yaml `main: infra/`). The same file runs under `pulumi up` and under
 * the offline plan's mocks, so the plan shows exactly what a deployment registers. It is the one
 * place that reads the process environment; the rest of the program gets the spec.
 */
import { isOffline } from "./offline";
import { declareStack, loadSpec } from "./program";

const outputs = declareStack(loadSpec({ offline: isOffline(process.env) }));

export = outputs;
