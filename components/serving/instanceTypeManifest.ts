/**
 * The Kubernetes manifest of a stack's instance types. Instance types are custom resources of the
 * Azure ML extension (`InstanceType`, group `amlarc.azureml.com`, version `v1alpha1`; "Create and
 * manage instance types"): a node selector and the pod's resources. Flux applies this file to the
 * cluster from the repository (`InstanceTypesGitOps`), so it is generated from the stack's config by
 * `npm run instance-types` and a test keeps the committed file equal to the config.
 */
import { stringify } from "yaml";
import { instanceTypeSchemas, InstanceTypeArgs } from "./amlKubernetesCompute";

export const INSTANCE_TYPE_API_VERSION = "amlarc.azureml.com/v1alpha1";
export const INSTANCE_TYPE_MANIFEST_FILE = "instance-types.yaml";

export function instanceTypeManifest(stack: string, types: InstanceTypeArgs[]): string {
  const schemas = instanceTypeSchemas(types);
  const documents = types.map((t) => ({
    apiVersion: INSTANCE_TYPE_API_VERSION,
    kind: "InstanceType",
    metadata: { name: t.name, labels: { "app.kubernetes.io/managed-by": "flux", "mlops/stack": stack } },
    spec: schemas[t.name],
  }));
  const header = `# Generated from Pulumi.${stack}.yaml serving.instanceTypes by \`npm run instance-types\`; do not edit.\n`;
  return header + documents.map((d) => stringify(d, { lineWidth: 0, aliasDuplicateObjects: false })).join("---\n");
}
