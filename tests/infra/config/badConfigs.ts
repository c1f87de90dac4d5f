/**
 * Bad stack configs, each with the key path its error must name. Shared by the in-process spec tests
 * and the CLI test that checks `npm run plan` exits 2 for every one of them.
 */
export interface BadConfigCase {
  title: string;
  stack: "dev" | "qa" | "prod";
  /** YAML of the `config:` mapping. */
  yaml: string;
  /** Key path the message must name (`mlops:` prefixed). */
  path: string;
  /** A fragment of the message. */
  message: RegExp;
}

const base = (env: string) => `  mlops:environment: ${env}\n  mlops:location: westeurope\n  mlops:prefix: acme\n`;
const privateNet = `  mlops:network:\n    mode: private\n    addressSpace: 10.1.0.0/16\n`;

export const badConfigs: BadConfigCase[] = [
  { title: "unknown top-level key with a suggestion", stack: "dev", yaml: base("dev") + "  mlops:compte:\n    clusters: []\n", path: "mlops:compte", message: /did you mean 'compute'/ },
  { title: "unknown nested key with a suggestion", stack: "dev", yaml: base("dev") + "  mlops:compute:\n    clusters:\n      - { name: cpu, kind: cpu, vmSize: Standard_DS3_v2, maxNodes: 2, minNode: 1 }\n", path: "mlops:compute.clusters[0].minNode", message: /did you mean 'minNodes'/ },
  { title: "GPU cluster with a CPU size", stack: "dev", yaml: base("dev") + "  mlops:compute:\n    clusters:\n      - { name: gpu, kind: gpu, vmSize: Standard_DS3_v2, maxNodes: 2 }\n", path: "mlops:compute.clusters[0].vmSize", message: /GPU VM family/ },
  { title: "min nodes above max nodes", stack: "dev", yaml: base("dev") + "  mlops:compute:\n    clusters:\n      - { name: cpu, kind: cpu, vmSize: Standard_DS3_v2, minNodes: 5, maxNodes: 2 }\n", path: "mlops:compute.clusters[0].minNodes", message: /≤ maxNodes/ },
  { title: "min nodes one above max nodes (the boundary)", stack: "dev", yaml: base("dev") + "  mlops:compute:\n    clusters:\n      - { name: cpu, kind: cpu, vmSize: Standard_DS3_v2, minNodes: 3, maxNodes: 2 }\n", path: "mlops:compute.clusters[0].minNodes", message: /≤ maxNodes/ },
  { title: "negative node count", stack: "dev", yaml: base("dev") + "  mlops:compute:\n    clusters:\n      - { name: cpu, kind: cpu, vmSize: Standard_DS3_v2, minNodes: -1, maxNodes: 2 }\n", path: "mlops:compute.clusters[0].minNodes", message: />= 0/ },
  { title: "cluster name too long", stack: "dev", yaml: base("dev") + "  mlops:compute:\n    clusters:\n      - { name: averyveryverylongname, kind: cpu, vmSize: Standard_DS3_v2, maxNodes: 2 }\n", path: "mlops:compute.clusters[0].name", message: /cluster/ },
  { title: "duplicate cluster names", stack: "dev", yaml: base("dev") + "  mlops:compute:\n    clusters:\n      - { name: cpu, kind: cpu, vmSize: Standard_DS3_v2, maxNodes: 2 }\n      - { name: cpu, kind: cpu, vmSize: Standard_DS3_v2, maxNodes: 4 }\n", path: "mlops:compute.clusters[1].name", message: /duplicate cluster name 'cpu'/ },
  { title: "unknown priority", stack: "dev", yaml: base("dev") + "  mlops:compute:\n    clusters:\n      - { name: cpu, kind: cpu, vmSize: Standard_DS3_v2, maxNodes: 2, priority: Spot }\n", path: "mlops:compute.clusters[0].priority", message: /one of "Dedicated", "LowPriority"/ },
  { title: "idle time not ISO 8601", stack: "dev", yaml: base("dev") + "  mlops:compute:\n    clusters:\n      - { name: cpu, kind: cpu, vmSize: Standard_DS3_v2, maxNodes: 2, idleTimeBeforeScaleDown: 15m }\n", path: "mlops:compute.clusters[0].idleTimeBeforeScaleDown", message: /ISO 8601/ },
  { title: "prod in public network mode", stack: "prod", yaml: base("prod") + "  mlops:network:\n    mode: public\n    addressSpace: 10.1.0.0/16\n", path: "mlops:network.mode", message: /prod cannot run in public/ },
  { title: "private mode without address space", stack: "qa", yaml: base("qa") + "  mlops:network:\n    mode: private\n  mlops:serving:\n    enabled: false\n", path: "mlops:network.addressSpace", message: /required when network.mode is private/ },
  { title: "subnet outside the address space", stack: "qa", yaml: base("qa") + "  mlops:network:\n    mode: private\n    addressSpace: 10.1.0.0/16\n    subnets:\n      aks: 10.2.0.0/20\n  mlops:serving:\n    enabled: false\n", path: "mlops:network.subnets.aks", message: /not inside network.addressSpace/ },
  { title: "environment does not match the stack", stack: "qa", yaml: base("dev") + privateNet, path: "mlops:environment", message: /must have environment 'qa'/ },
  { title: "bad location", stack: "dev", yaml: "  mlops:location: West Europe\n  mlops:prefix: acme\n", path: "mlops:location", message: /Azure region/ },
  { title: "prefix with capitals", stack: "dev", yaml: "  mlops:location: westeurope\n  mlops:prefix: ACME\n", path: "mlops:prefix", message: /lowercase/ },
  { title: "GPU node pool with a CPU size", stack: "qa", yaml: base("qa") + privateNet + "  mlops:serving:\n    kubernetesVersion: '1.33'\n    userPools:\n      - { name: gpu, kind: gpu, vmSize: Standard_D8ds_v5, maxCount: 2 }\n", path: "mlops:serving.userPools[0].vmSize", message: /GPU VM family/ },
  { title: "Kubernetes version format", stack: "qa", yaml: base("qa") + privateNet + "  mlops:serving:\n    kubernetesVersion: latest\n", path: "mlops:serving.kubernetesVersion", message: /major.minor/ },
  { title: "serving without a Kubernetes version", stack: "qa", yaml: base("qa") + privateNet + "  mlops:serving:\n    enabled: true\n", path: "mlops:serving.kubernetesVersion", message: /is required when serving is enabled/ },
  { title: "pool min count above max count", stack: "qa", yaml: base("qa") + privateNet + "  mlops:serving:\n    kubernetesVersion: '1.33'\n    userPools:\n      - { name: cpu, vmSize: Standard_D8ds_v5, minCount: 5, maxCount: 2 }\n", path: "mlops:serving.userPools[0].minCount", message: /≤ maxCount/ },
  { title: "private cluster with authorized IP ranges", stack: "qa", yaml: base("qa") + privateNet + "  mlops:serving:\n    kubernetesVersion: '1.33'\n    privateCluster: true\n    authorizedIpRanges: [203.0.113.0/24]\n", path: "mlops:serving.authorizedIpRanges", message: /private cluster/ },
  { title: "qa promoting from prod", stack: "qa", yaml: base("qa") + privateNet + "  mlops:serving:\n    enabled: false\n  mlops:promotion:\n    upstreamStack: organization/mlops/prod\n", path: "mlops:promotion.upstreamStack", message: /promotes from 'dev'/ },
  { title: "pinned version not a number", stack: "qa", yaml: base("qa") + privateNet + "  mlops:serving:\n    enabled: false\n  mlops:promotion:\n    upstreamStack: organization/mlops/dev\n    models:\n      - { name: churn, pinnedVersion: latest }\n", path: "mlops:promotion.models[0].pinnedVersion", message: /found "latest"/ },
  { title: "schedule for a pipeline that is not published", stack: "dev", yaml: base("dev") + "  mlops:pipelines:\n    publish: [training]\n    schedules:\n      - { pipeline: scoring, cron: '0 2 * * *' }\n", path: "mlops:pipelines.schedules[0].pipeline", message: /not in pipelines.publish/ },
  { title: "reserved tag", stack: "dev", yaml: base("dev") + "  mlops:tags:\n    environment: production\n", path: "mlops:tags.environment", message: /set by the platform/ },
  { title: "structured key given a string", stack: "dev", yaml: base("dev") + "  mlops:compute: lots\n", path: "mlops:compute", message: /must be object/ },
  { title: "duplicate datastore", stack: "dev", yaml: base("dev") + "  mlops:datastores:\n    - { name: raw }\n    - { name: raw }\n", path: "mlops:datastores[1].name", message: /duplicate datastore name 'raw'/ },
  { title: "customer-managed keys without purge protection", stack: "qa", yaml: base("qa") + privateNet + "  mlops:serving:\n    enabled: false\n  mlops:keyVault:\n    purgeProtection: false\n", path: "mlops:keyVault.purgeProtection", message: /customerManagedKeys is on/ },
  { title: "customer-managed keys asked for in dev without purge protection", stack: "dev", yaml: base("dev") + "  mlops:security:\n    customerManagedKeys: true\n", path: "mlops:security.customerManagedKeys", message: /purgeProtection: true/ },
  { title: "unknown Defender plan", stack: "prod", yaml: base("prod") + privateNet + "  mlops:security:\n    defenderPlans: [Containers, Servers]\n", path: "mlops:security.defenderPlans[1]", message: /Containers/ },
  { title: "flow logs without a virtual network", stack: "dev", yaml: base("dev") + "  mlops:security:\n    flowLogs: true\n", path: "mlops:security.flowLogs", message: /addressSpace/ },
];
