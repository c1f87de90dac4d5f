import * as pulumi from "@pulumi/pulumi";

/**
 * azure-native fills some inputs with defaults when they are left undefined (its generated
 * `…ArgsProvideDefaults` functions in `types/input.js`), and sends them: `networkProfile.podCidr`
 * "10.244.0.0/16" on every AKS cluster, which AKS refuses with Azure CNI without overlay, and
 * `properties.publicNetworkAccess` "Enabled" on every online endpoint, a property the schema applies
 * to managed endpoints only. This transformation removes such keys (`<top>.<key>`) after the defaults
 * were applied and before the resource is registered.
 */
export function withoutInjectedDefaults(paths: string[]): pulumi.ResourceTransformation {
  return (args) => {
    const props = { ...args.props };
    for (const p of paths) {
      const [top, key] = p.split(".");
      if (props[top] === undefined) continue;
      props[top] = pulumi.output(props[top]).apply((v: Record<string, unknown> | undefined) => {
        if (!v || typeof v !== "object") return v;
        const { [key]: _removed, ...rest } = v;
        return rest;
      });
    }
    return { props, opts: args.opts };
  };
}
