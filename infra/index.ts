/**
 * Pulumi program entry (Pulumi.yaml `main: infra/`). The same file runs under `pulumi up` and under
 * the offline plan's mocks, so the plan shows exactly what a deployment registers.
 */
import { declareStack, loadSpec } from "./program";

const outputs = declareStack(loadSpec());

export = outputs;
