import * as pulumi from "@pulumi/pulumi";
import { PUBLIC_ARM_ENDPOINT } from "../shared/azure";
import { ModelRolloutProvider, ModelRolloutProviderOptions, RolloutDeployment, TrafficEvent } from "./modelRolloutProvider";

export interface ModelRolloutArgs {
  endpointId: pulumi.Input<string>;
  deployment: pulumi.Input<{ [K in keyof RolloutDeployment]: pulumi.Input<RolloutDeployment[K]> }>;
  steps: number[];
  smokeRequest: unknown;
  holdSeconds: number;
  endpointRevision: pulumi.Input<string>;
  armEndpoint?: pulumi.Input<string>;
}

/** `mlops:ModelRollout`: the served model version's deployment, rolled out step by step (see the provider). */
export class ModelRollout extends pulumi.dynamic.Resource {
  declare readonly live: pulumi.Output<string>;
  declare readonly appliedTraffic: pulumi.Output<Record<string, number>>;
  declare readonly history: pulumi.Output<TrafficEvent[]>;

  constructor(name: string, args: ModelRolloutArgs, opts?: pulumi.CustomResourceOptions, providerOptions?: ModelRolloutProviderOptions) {
    super(
      new ModelRolloutProvider(providerOptions),
      name,
      { armEndpoint: PUBLIC_ARM_ENDPOINT, ...args, live: undefined, appliedTraffic: undefined, history: undefined },
      opts,
      "mlops",
      "ModelRollout",
    );
  }
}
