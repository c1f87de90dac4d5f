import * as pulumi from "@pulumi/pulumi";
import { AZURE_PUBLIC_ARM, EndpointTrafficProvider, EndpointTrafficProviderOptions } from "./endpointTrafficProvider";

export interface EndpointTrafficArgs {
  endpointId: pulumi.Input<string>;
  traffic: pulumi.Input<Record<string, pulumi.Input<number>>>;
  endpointRevision: pulumi.Input<string>;
  armEndpoint?: pulumi.Input<string>;
}

/** `mlops:EndpointTraffic`: an online endpoint's traffic split, set once its deployments exist. */
export class EndpointTraffic extends pulumi.dynamic.Resource {
  // `declare`: with ES2022 class fields a plain declaration would reset the output the base constructor set.
  declare readonly appliedTraffic: pulumi.Output<Record<string, number>>;

  constructor(name: string, args: EndpointTrafficArgs, opts?: pulumi.CustomResourceOptions, providerOptions?: EndpointTrafficProviderOptions) {
    super(
      new EndpointTrafficProvider(providerOptions),
      name,
      { armEndpoint: AZURE_PUBLIC_ARM, ...args, appliedTraffic: undefined },
      opts,
      "mlops",
      "EndpointTraffic",
    );
  }
}
