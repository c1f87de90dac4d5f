/**
 * Every rule: passes on a realistic hardened stack, and fails (naming the resource) when one
 * property is broken the way a real config would break it.
 */
import { allRules } from "../../policy/rules";
import type { Environment, ResourceView } from "../../policy/rules/types";
import { armId, edited, hardenedStack, urnOf, SUBSCRIPTION } from "./fixtures";
import { enabledEnvironments, runRule } from "./helpers";

interface FailingCase {
  what: string;
  env: Environment;
  /** Builds the broken stack from the hardened one of `env`. */
  stack: (s: ResourceView[]) => ResourceView[];
  /** Logical name of the resource the finding must name. */
  resource: string;
  message: RegExp;
}

const added = (r: Omit<ResourceView, "urn">, env: Environment) => (s: ResourceView[]) => [
  ...s,
  { ...r, urn: urnOf(env, r.type, r.name) },
];

const ROLE = (guid: string) => `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

const CASES: Record<string, FailingCase[]> = {
  "workspace-public-network-disabled": [
    { what: "public access enabled", env: "prod", stack: (s) => edited(s, "prod-workspace", (i) => (i.publicNetworkAccess = "Enabled")), resource: "prod-workspace", message: /publicNetworkAccess is 'Enabled'/ },
    { what: "public access left at Azure's default", env: "qa", stack: (s) => edited(s, "qa-workspace", (i) => delete i.publicNetworkAccess), resource: "qa-workspace", message: /publicNetworkAccess is not set/ },
    { what: "public access behind VNet", env: "prod", stack: (s) => edited(s, "prod-workspace", (i) => (i.allowPublicAccessWhenBehindVnet = true)), resource: "prod-workspace", message: /allowPublicAccessWhenBehindVnet/ },
  ],
  "workspace-managed-network-approved-outbound": [
    { what: "internet outbound allowed", env: "prod", stack: (s) => edited(s, "prod-workspace", (i) => (i.managedNetwork.isolationMode = "AllowInternetOutbound")), resource: "prod-workspace", message: /AllowInternetOutbound/ },
  ],
  "workspace-user-assigned-identity": [
    { what: "system-assigned identity", env: "prod", stack: (s) => edited(s, "prod-workspace", (i) => { i.identity = { type: "SystemAssigned" }; delete i.primaryUserAssignedIdentity; }), resource: "prod-workspace", message: /identity.type is 'SystemAssigned'/ },
  ],
  "workspace-identity-datastore-auth": [
    { what: "key-based datastores", env: "qa", stack: (s) => edited(s, "qa-workspace", (i) => (i.systemDatastoresAuthMode = "accessKey")), resource: "qa-workspace", message: /'accessKey'/ },
  ],
  "workspace-customer-managed-key": [
    { what: "Microsoft-managed keys", env: "prod", stack: (s) => edited(s, "prod-workspace", (i) => delete i.encryption), resource: "prod-workspace", message: /encryption.status is not set/ },
  ],
  "storage-customer-managed-key": [
    { what: "Microsoft-managed keys in qa (rehearsing prod)", env: "qa", stack: (s) => edited(s, "qa-storage", (i) => (i.encryption.keySource = "Microsoft.Storage")), resource: "qa-storage", message: /keySource is 'Microsoft.Storage'/ },
    { what: "no encryption block in prod", env: "prod", stack: (s) => edited(s, "prod-storage", (i) => delete i.encryption), resource: "prod-storage", message: /keySource is not set/ },
  ],
  "defender-plans": [
    { what: "a declared plan set back to Free", env: "prod", stack: (s) => edited(s, "prod-defender-containers", (i) => (i.pricingTier = "Free")), resource: "prod-defender-containers", message: /pricingTier is 'Free': the 'Containers' plan is off/ },
  ],
  "aks-egress-filtered": [
    { what: "cluster back on the NAT gateway", env: "prod", stack: (s) => edited(s, "prod-aks", (i) => (i.networkProfile.outboundType = "userAssignedNATGateway")), resource: "prod-aks", message: /outboundType is 'userAssignedNATGateway'/ },
    { what: "AKS subnet without its route table", env: "qa", stack: (s) => edited(s, "qa-aks-subnet", (i) => delete i.routeTable), resource: "qa-aks-subnet", message: /has no route table/ },
    { what: "no firewall in the VNet", env: "prod", stack: (s) => s.filter((r) => r.name !== "prod-firewall"), resource: "prod-aks", message: /no Azure Firewall in vnet-mlops-prod-serving\/AzureFirewallSubnet/ },
    { what: "firewall in another VNet", env: "qa", stack: (s) => edited(s, "qa-firewall", (i) => (i.ipConfigurations[0].subnet.id = i.ipConfigurations[0].subnet.id.replace("vnet-mlops-qa-serving/", "vnet-mlops-hub/"))), resource: "qa-aks", message: /no Azure Firewall/ },
    { what: "default route to the internet instead of the firewall", env: "prod", stack: (s) => edited(s, "prod-aks-routes", (i) => (i.routes[0].nextHopType = "Internet")), resource: "prod-aks-subnet", message: /sends 0.0.0.0\/0 to a virtual appliance/ },
    { what: "an allow-all application rule", env: "prod", stack: (s) => edited(s, "prod-firewall-rules", (i) => i.ruleCollections[0].rules.push({ ruleType: "ApplicationRule", name: "anything", protocols: [{ protocolType: "Https", port: 443 }], targetFqdns: ["*"] })), resource: "prod-firewall-rules", message: /rule 'anything' allows '\*'/ },
    { what: "firewall without a policy", env: "prod", stack: (s) => edited(s, "prod-firewall", (i) => delete i.firewallPolicy), resource: "prod-firewall", message: /has no firewall policy/ },
  ],
  "vnet-flow-logs": [
    { what: "VNet without a flow log", env: "prod", stack: (s) => s.filter((r) => r.name !== "prod-flowlog"), resource: "prod-vnet", message: /has no flow log/ },
    { what: "flow log pointing at another VNet", env: "qa", stack: (s) => edited(s, "qa-flowlog", (i) => (i.targetResourceId = i.targetResourceId.replace("vnet-mlops-qa", "vnet-other"))), resource: "qa-vnet", message: /has no flow log/ },
    { what: "flow log disabled", env: "qa", stack: (s) => edited(s, "qa-flowlog", (i) => (i.enabled = false)), resource: "qa-flowlog", message: /enabled is false/ },
    { what: "prod flow log kept 30 days", env: "prod", stack: (s) => edited(s, "prod-flowlog", (i) => (i.retentionPolicy.days = 30)), resource: "prod-flowlog", message: /keeps 30 days, below the prod minimum of 90 days/ },
  ],
  "compute-local-auth-disabled": [
    { what: "cluster with local auth", env: "dev", stack: (s) => edited(s, "dev-cpu", (i) => (i.properties.disableLocalAuth = false)), resource: "dev-cpu", message: /disableLocalAuth is false/ },
    { what: "Kubernetes compute without the flag", env: "qa", stack: (s) => edited(s, "qa-kubernetes", (i) => delete i.properties.disableLocalAuth), resource: "qa-kubernetes", message: /disableLocalAuth is not set/ },
  ],
  "compute-no-public-node-ip": [
    { what: "node public IP left at Azure's default", env: "prod", stack: (s) => edited(s, "prod-gpu", (i) => delete i.properties.properties.enableNodePublicIp), resource: "prod-gpu", message: /public IP/ },
  ],
  "compute-ssh-port-closed": [
    { what: "SSH port not closed", env: "dev", stack: (s) => edited(s, "dev-cpu", (i) => (i.properties.properties.remoteLoginPortPublicAccess = "NotSpecified")), resource: "dev-cpu", message: /'NotSpecified'/ },
    {
      what: "instance with public SSH",
      env: "dev",
      stack: added({ type: "azure-native:machinelearningservices:Compute", name: "dev-notebook", inputs: { properties: { computeType: "ComputeInstance", disableLocalAuth: true, properties: { vmSize: "Standard_DS3_v2", idleTimeBeforeShutdown: "PT60M", sshSettings: { sshPublicAccess: "Enabled" } } } } }, "dev"),
      resource: "dev-notebook",
      message: /sshPublicAccess is 'Enabled'/,
    },
  ],
  "compute-scale-to-zero": [
    { what: "nodes kept warm", env: "qa", stack: (s) => edited(s, "qa-cpu", (i) => (i.properties.properties.scaleSettings.minNodeCount = 1)), resource: "qa-cpu", message: /minNodeCount is 1/ },
  ],
  "compute-cost-caps": [
    { what: "too many nodes in prod", env: "prod", stack: (s) => edited(s, "prod-cpu", (i) => (i.properties.properties.scaleSettings.maxNodeCount = 50)), resource: "prod-cpu", message: /maxNodeCount is 50, above the prod cap of 20/ },
    { what: "idle nodes kept for hours", env: "prod", stack: (s) => edited(s, "prod-cpu", (i) => (i.properties.properties.scaleSettings.nodeIdleTimeBeforeScaleDown = "PT4H")), resource: "prod-cpu", message: /'PT4H', above the prod cap of 120 minutes/ },
    { what: "dedicated VMs in qa", env: "qa", stack: (s) => edited(s, "qa-gpu", (i) => (i.properties.properties.vmPriority = "Dedicated")), resource: "qa-gpu", message: /low-priority/ },
  ],
  "compute-instance-idle-shutdown": [
    {
      what: "instance without idle shutdown",
      env: "prod",
      stack: added({ type: "azure-native:machinelearningservices:Compute", name: "prod-notebook", inputs: { properties: { computeType: "ComputeInstance", disableLocalAuth: true, properties: { vmSize: "Standard_DS3_v2" } } } }, "prod"),
      resource: "prod-notebook",
      message: /idleTimeBeforeShutdown is not set/,
    },
  ],
  "storage-blob-public-access-disabled": [
    { what: "anonymous blob access", env: "dev", stack: (s) => edited(s, "dev-storage", (i) => (i.allowBlobPublicAccess = true)), resource: "dev-storage", message: /allowBlobPublicAccess is true/ },
  ],
  "storage-https-only": [
    { what: "HTTP allowed", env: "dev", stack: (s) => edited(s, "dev-storage", (i) => (i.enableHttpsTrafficOnly = false)), resource: "dev-storage", message: /enableHttpsTrafficOnly is false/ },
  ],
  "storage-min-tls-1-2": [
    { what: "TLS 1.0", env: "qa", stack: (s) => edited(s, "qa-storage", (i) => (i.minimumTlsVersion = "TLS1_0")), resource: "qa-storage", message: /'TLS1_0'/ },
  ],
  "storage-network-restricted": [
    { what: "public endpoint enabled although the firewall denies (b2982f36)", env: "qa", stack: (s) => edited(s, "qa-storage", (i) => (i.publicNetworkAccess = "Enabled")), resource: "qa-storage", message: /publicNetworkAccess is 'Enabled'/ },
    { what: "public access left at Azure's default (Enabled)", env: "prod", stack: (s) => edited(s, "prod-storage", (i) => delete i.publicNetworkAccess), resource: "prod-storage", message: /publicNetworkAccess is not set/ },
    { what: "firewall allowing behind a disabled endpoint (34c877ad)", env: "prod", stack: (s) => edited(s, "prod-storage", (i) => (i.networkRuleSet.defaultAction = "Allow")), resource: "prod-storage", message: /defaultAction is 'Allow'/ },
    { what: "open to every network", env: "prod", stack: (s) => edited(s, "prod-storage", (i) => { i.publicNetworkAccess = "Enabled"; i.networkRuleSet.defaultAction = "Allow"; }), resource: "prod-storage", message: /reachable from any network/ },
    { what: "firewall without trusted services", env: "qa", stack: (s) => edited(s, "qa-storage", (i) => { i.publicNetworkAccess = "Enabled"; i.networkRuleSet.bypass = "None"; }), resource: "qa-storage", message: /trusted Azure services/ },
  ],
  "storage-shared-key-disabled": [
    { what: "shared keys on", env: "prod", stack: (s) => edited(s, "prod-storage", (i) => delete i.allowSharedKeyAccess), resource: "prod-storage", message: /allowSharedKeyAccess is not set/ },
  ],
  "storage-cross-tenant-replication-disabled": [
    { what: "cross-tenant replication", env: "prod", stack: (s) => edited(s, "prod-storage", (i) => (i.allowCrossTenantReplication = true)), resource: "prod-storage", message: /allowCrossTenantReplication is true/ },
  ],
  "storage-local-users-disabled": [
    { what: "local users left at Azure's default", env: "prod", stack: (s) => edited(s, "prod-storage", (i) => delete i.isLocalUserEnabled), resource: "prod-storage", message: /isLocalUserEnabled is not set/ },
  ],
  "keyvault-soft-delete": [
    { what: "soft delete off", env: "dev", stack: (s) => edited(s, "dev-vault", (i) => (i.properties.enableSoftDelete = false)), resource: "dev-vault", message: /enableSoftDelete is false/ },
  ],
  "keyvault-purge-protection": [
    { what: "no purge protection", env: "qa", stack: (s) => edited(s, "qa-vault", (i) => delete i.properties.enablePurgeProtection), resource: "qa-vault", message: /enablePurgeProtection is not set/ },
  ],
  "keyvault-rbac-authorization": [
    { what: "access policies", env: "dev", stack: (s) => edited(s, "dev-vault", (i) => (i.properties.enableRbacAuthorization = false)), resource: "dev-vault", message: /access policies/ },
  ],
  "keyvault-network-restricted": [
    { what: "public endpoint enabled although the firewall denies (405c5871)", env: "qa", stack: (s) => edited(s, "qa-vault", (i) => (i.properties.publicNetworkAccess = "Enabled")), resource: "qa-vault", message: /publicNetworkAccess is 'Enabled'/ },
    { what: "firewall allowing behind a disabled endpoint (55615ac9)", env: "prod", stack: (s) => edited(s, "prod-vault", (i) => (i.properties.networkAcls.defaultAction = "Allow")), resource: "prod-vault", message: /defaultAction is 'Allow'/ },
    { what: "open vault", env: "prod", stack: (s) => edited(s, "prod-vault", (i) => { i.properties.publicNetworkAccess = "Enabled"; i.properties.networkAcls.defaultAction = "Allow"; }), resource: "prod-vault", message: /reachable from any network/ },
  ],
  "registry-admin-user-disabled": [
    { what: "admin user on", env: "dev", stack: (s) => edited(s, "dev-registry", (i) => (i.adminUserEnabled = true)), resource: "dev-registry", message: /adminUserEnabled is true/ },
  ],
  "registry-anonymous-pull-disabled": [
    { what: "anonymous pull", env: "dev", stack: (s) => edited(s, "dev-registry", (i) => (i.anonymousPullEnabled = true)), resource: "dev-registry", message: /anonymousPullEnabled is true/ },
  ],
  "registry-public-network-disabled": [
    { what: "public registry", env: "prod", stack: (s) => edited(s, "prod-registry", (i) => (i.publicNetworkAccess = "Enabled")), resource: "prod-registry", message: /publicNetworkAccess is 'Enabled'/ },
    { what: "Standard SKU cannot use private link", env: "qa", stack: (s) => edited(s, "qa-registry", (i) => (i.sku.name = "Standard")), resource: "qa-registry", message: /'Standard'; private link needs 'Premium'/ },
  ],
  "registry-export-disabled": [
    { what: "export left on", env: "prod", stack: (s) => edited(s, "prod-registry", (i) => delete i.policies.exportPolicy), resource: "prod-registry", message: /exportPolicy.status is not set/ },
  ],
  "registry-arm-audience-tokens-disabled": [
    { what: "ARM tokens accepted", env: "prod", stack: (s) => edited(s, "prod-registry", (i) => (i.policies.azureADAuthenticationAsArmPolicy.status = "enabled")), resource: "prod-registry", message: /ARM-audience/ },
  ],
  "registry-untagged-retention": [
    { what: "no retention", env: "prod", stack: (s) => edited(s, "prod-registry", (i) => (i.policies.retentionPolicy.status = "disabled")), resource: "prod-registry", message: /retentionPolicy.status is 'disabled'/ },
  ],
  "aks-managed-identity": [
    { what: "service principal", env: "qa", stack: (s) => edited(s, "qa-aks", (i) => { delete i.identity; i.servicePrincipalProfile = { clientId: "55555555-5555-5555-5555-555555555555", secret: "[secret]" }; }), resource: "qa-aks", message: /service principal/ },
  ],
  "aks-entra-rbac": [
    { what: "no Azure RBAC", env: "prod", stack: (s) => edited(s, "prod-aks", (i) => (i.aadProfile.enableAzureRBAC = false)), resource: "prod-aks", message: /aadProfile.enableAzureRBAC is false/ },
    { what: "no Kubernetes RBAC", env: "qa", stack: (s) => edited(s, "qa-aks", (i) => (i.enableRBAC = false)), resource: "qa-aks", message: /enableRBAC is false/ },
  ],
  "aks-private-cluster": [
    { what: "public API server", env: "prod", stack: (s) => edited(s, "prod-aks", (i) => (i.apiServerAccessProfile.enablePrivateCluster = false)), resource: "prod-aks", message: /enablePrivateCluster is false/ },
    { what: "private cluster with a public FQDN", env: "qa", stack: (s) => edited(s, "qa-aks", (i) => (i.apiServerAccessProfile.enablePrivateClusterPublicFQDN = true)), resource: "qa-aks", message: /PublicFQDN is true/ },
  ],
  "aks-api-server-authorized-ips": [
    { what: "two /1 ranges that add up to the internet", env: "qa", stack: (s) => edited(s, "qa-aks", (i) => (i.apiServerAccessProfile = { authorizedIPRanges: ["0.0.0.0/1", "128.0.0.0/1"] })), resource: "qa-aks", message: /together admit every public IPv4 address/ },
    { what: "every public block but the private ones", env: "prod", stack: (s) => edited(s, "prod-aks", (i) => (i.apiServerAccessProfile = { authorizedIPRanges: ["1.0.0.0/8", "2.0.0.0/7", "4.0.0.0/6", "8.0.0.0/7", "11.0.0.0/8", "12.0.0.0/6", "16.0.0.0/4", "32.0.0.0/3", "64.0.0.0/3", "96.0.0.0/4", "112.0.0.0/5", "120.0.0.0/6", "124.0.0.0/7", "126.0.0.0/8", "128.0.0.0/2", "192.0.0.0/3"] })), resource: "prod-aks", message: /together admit every public IPv4 address/ },
    { what: "a range that is not a CIDR", env: "qa", stack: (s) => edited(s, "qa-aks", (i) => (i.apiServerAccessProfile = { authorizedIPRanges: ["20.50.0.0/33"] })), resource: "qa-aks", message: /not an IPv4 CIDR range/ },
    { what: "public API server open to all", env: "qa", stack: (s) => edited(s, "qa-aks", (i) => (i.apiServerAccessProfile = { enablePrivateCluster: false })), resource: "qa-aks", message: /authorizedIPRanges is empty/ },
    { what: "0.0.0.0/0 listed", env: "prod", stack: (s) => edited(s, "prod-aks", (i) => (i.apiServerAccessProfile = { authorizedIPRanges: ["0.0.0.0/0"] })), resource: "prod-aks", message: /0\.0\.0\.0\/0/ },
  ],
  "aks-local-accounts-disabled": [
    { what: "local accounts on a cluster without Azure ML", env: "prod", stack: (s) => s.filter((r) => r.name !== "prod-azureml-extension"), resource: "prod-aks", message: /disableLocalAccounts is false/ },
    { what: "the extension is on another cluster", env: "qa", stack: (s) => edited(s, "qa-azureml-extension", (i) => (i.clusterName = "aks-other-qa")), resource: "qa-aks", message: /disableLocalAccounts is false/ },
  ],
  "aks-no-node-public-ip": [
    { what: "GPU pool with public IPs", env: "dev", stack: (s) => edited(s, "dev-aks", (i) => (i.agentPoolProfiles[1].enableNodePublicIP = true)), resource: "dev-aks", message: /agentPoolProfiles\[1\] \(gpu\): enableNodePublicIP is true/ },
    {
      what: "separate pool resource with public IPs",
      env: "prod",
      stack: added({ type: "azure-native:containerservice:AgentPool", name: "prod-pool-cpu", inputs: { agentPoolName: "cpu", resourceName: "aks-mlops-prod", resourceGroupName: "rg-mlops-prod-serving", mode: "User", vmSize: "Standard_D8ds_v5", enableNodePublicIP: true, enableAutoScaling: true, enableEncryptionAtHost: true } }, "prod"),
      resource: "prod-pool-cpu",
      message: /pool cpu: enableNodePublicIP is true/,
    },
  ],
  "aks-network-policy": [
    { what: "kubenet without policy", env: "qa", stack: (s) => edited(s, "qa-aks", (i) => (i.networkProfile = { networkPlugin: "kubenet" })), resource: "qa-aks", message: /networkPlugin is 'kubenet'.*|networkPolicy is not set/ },
  ],
  "aks-azure-policy-addon": [
    { what: "add-on off (Pulumi casing)", env: "prod", stack: (s) => edited(s, "prod-aks", (i) => { delete i.addonProfiles.azurepolicy; i.addonProfiles.azurePolicy = { enabled: false }; }), resource: "prod-aks", message: /azurepolicy.enabled is false/ },
  ],
  "aks-http-application-routing-off": [
    { what: "HTTP application routing on", env: "dev", stack: (s) => edited(s, "dev-aks", (i) => (i.addonProfiles.httpApplicationRouting = { enabled: true })), resource: "dev-aks", message: /httpApplicationRouting is enabled/ },
  ],
  "aks-autoscaling": [
    { what: "fixed-size system pool", env: "prod", stack: (s) => edited(s, "prod-aks", (i) => (i.agentPoolProfiles[0].enableAutoScaling = false)), resource: "prod-aks", message: /\(system\): enableAutoScaling is false/ },
    { what: "warm GPU pool in qa", env: "qa", stack: (s) => edited(s, "qa-aks", (i) => (i.agentPoolProfiles[1].minCount = 1)), resource: "qa-aks", message: /GPU user pool keeps 1 node/ },
  ],
  "aks-auto-upgrade": [
    { what: "no upgrade channel", env: "prod", stack: (s) => edited(s, "prod-aks", (i) => (i.autoUpgradeProfile = { upgradeChannel: "none", nodeOSUpgradeChannel: "Unmanaged" })), resource: "prod-aks", message: /upgradeChannel is 'none'/ },
  ],
  "aks-encryption-at-host": [
    { what: "system pool without host encryption", env: "prod", stack: (s) => edited(s, "prod-aks", (i) => delete i.agentPoolProfiles[0].enableEncryptionAtHost), resource: "prod-aks", message: /\(system\): enableEncryptionAtHost is not set/ },
  ],
  "aks-disk-encryption-set": [
    { what: "platform keys", env: "prod", stack: (s) => edited(s, "prod-aks", (i) => delete i.diskEncryptionSetID), resource: "prod-aks", message: /diskEncryptionSetID is not set/ },
  ],
  "aks-secret-store-rotation": [
    { what: "rotation off", env: "prod", stack: (s) => edited(s, "prod-aks", (i) => (i.addonProfiles.azureKeyvaultSecretsProvider.config.enableSecretRotation = "false")), resource: "prod-aks", message: /secret rotation is 'false'/ },
  ],
  "aks-workload-identity": [
    { what: "no OIDC issuer", env: "prod", stack: (s) => edited(s, "prod-aks", (i) => (i.oidcIssuerProfile.enabled = false)), resource: "prod-aks", message: /oidcIssuerProfile.enabled is false/ },
  ],
  "aks-uptime-sla": [
    { what: "free tier", env: "prod", stack: (s) => edited(s, "prod-aks", (i) => (i.sku.tier = "Free")), resource: "prod-aks", message: /sku.tier is 'Free'/ },
  ],
  "aks-defender": [
    { what: "no Defender", env: "prod", stack: (s) => edited(s, "prod-aks", (i) => delete i.securityProfile.defender), resource: "prod-aks", message: /securityMonitoring.enabled is not set/ },
  ],
  "aks-run-command-disabled": [
    { what: "run command allowed in qa (now mandatory there)", env: "qa", stack: (s) => edited(s, "qa-aks", (i) => (i.apiServerAccessProfile.disableRunCommand = false)), resource: "qa-aks", message: /disableRunCommand is false/ },
    { what: "run command allowed", env: "prod", stack: (s) => edited(s, "prod-aks", (i) => delete i.apiServerAccessProfile.disableRunCommand), resource: "prod-aks", message: /disableRunCommand is not set/ },
  ],
  "aks-ssh-disabled": [
    { what: "system pool left at AKS's default (LocalUser)", env: "prod", stack: (s) => edited(s, "prod-aks", (i) => delete i.agentPoolProfiles[0].securityProfile), resource: "prod-aks", message: /\(system\): securityProfile.sshAccess is not set/ },
    {
      what: "separate pool resource with SSH",
      env: "qa",
      stack: added({ type: "azure-native:containerservice:AgentPool", name: "qa-pool-cpu", inputs: { agentPoolName: "cpu", resourceName: "aks-mlops-qa", mode: "User", vmSize: "Standard_D8ds_v5", enableAutoScaling: true, enableEncryptionAtHost: true, securityProfile: { sshAccess: "LocalUser" } } }, "qa"),
      resource: "qa-pool-cpu",
      message: /pool cpu: securityProfile.sshAccess is 'LocalUser'/,
    },
  ],
  "diagnostic-settings": [
    { what: "no diagnostic setting on the vault", env: "prod", stack: (s) => s.filter((r) => r.name !== "prod-vault-diag"), resource: "prod-vault", message: /no diagnostic setting/ },
    { what: "AKS without guard logs", env: "qa", stack: (s) => edited(s, "qa-aks-diag", (i) => (i.logs = [{ category: "kube-audit-admin", enabled: true }, { category: "guard", enabled: false }])), resource: "qa-aks", message: /not both kube-audit\(-admin\) and guard/ },
    { what: "storage setting on the account, not its blob service", env: "prod", stack: (s) => edited(s, "prod-storage-blob-diag", (i) => (i.resourceUri = i.resourceUri.replace("/blobServices/default", ""))), resource: "prod-storage", message: /blobServices\/default/ },
    { what: "no diagnostic setting on the egress firewall", env: "qa", stack: (s) => s.filter((r) => r.name !== "qa-firewall-diag"), resource: "qa-firewall", message: /no diagnostic setting/ },
    { what: "a setting that sends nowhere", env: "qa", stack: (s) => edited(s, "qa-workspace-diag", (i) => delete i.workspaceId), resource: "qa-workspace", message: /no diagnostic setting/ },
  ],
  "log-analytics-retention": [
    { what: "prod keeping 30 days", env: "prod", stack: (s) => edited(s, "prod-logs", (i) => (i.retentionInDays = 30)), resource: "prod-logs", message: /prod keeps logs at least 90 days/ },
    { what: "retention left at Azure's default in prod", env: "prod", stack: (s) => edited(s, "prod-logs", (i) => delete i.retentionInDays), resource: "prod-logs", message: /retentionInDays is not set/ },
  ],
  "aks-admin-path-restricted": [
    { what: "CI Contributor on the serving resource group", env: "qa", stack: (s) => edited(s, "qa-ci-contributor", (i) => (i.scope = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-mlops-qa-serving`)), resource: "qa-ci-contributor", message: /assigns Contributor over the AKS cluster/ },
    {
      what: "a custom deployer role that forgot to exclude runCommand",
      env: "prod",
      stack: (s) => [
        ...s,
        { urn: urnOf("prod", "azure-native:authorization:RoleDefinition", "prod-deployer-role"), type: "azure-native:authorization:RoleDefinition", name: "prod-deployer-role", inputs: { roleDefinitionId: "489164ea-78a9-5d3a-a50a-832fb9e8bb60", roleName: "deployer", permissions: [{ actions: ["*"], notActions: ["Microsoft.Authorization/*/Write", "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action"] }], assignableScopes: [`/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-mlops-prod-serving`] } },
        { urn: urnOf("prod", "azure-native:authorization:RoleAssignment", "prod-ci-deployer"), type: "azure-native:authorization:RoleAssignment", name: "prod-ci-deployer", inputs: { principalId: "33333333-3333-3333-3333-333333333333", principalType: "ServicePrincipal", roleDefinitionId: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/489164ea-78a9-5d3a-a50a-832fb9e8bb60`, scope: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-mlops-prod-serving` } },
      ],
      resource: "prod-ci-deployer",
      message: /allows Microsoft.ContainerService\/managedClusters\/runCommand\/action/,
    },
  ],
  "monitoring-public-network-disabled": [
    { what: "Application Insights ingestion left at Azure's default", env: "prod", stack: (s) => edited(s, "prod-insights", (i) => delete i.publicNetworkAccessForIngestion), resource: "prod-insights", message: /publicNetworkAccessForIngestion is not set/ },
    { what: "Log Analytics queries from the internet", env: "qa", stack: (s) => edited(s, "qa-logs", (i) => (i.publicNetworkAccessForQuery = "Enabled")), resource: "qa-logs", message: /publicNetworkAccessForQuery is 'Enabled'/ },
  ],
  "log-analytics-entra-ingestion": [
    { what: "workspace key accepted", env: "prod", stack: (s) => edited(s, "prod-logs", (i) => delete i.features), resource: "prod-logs", message: /disableLocalAuth is not set/ },
  ],
  "monitor-private-link-scope": [
    { what: "open access mode", env: "prod", stack: (s) => edited(s, "prod-ampls", (i) => (i.accessModeSettings.queryAccessMode = "Open")), resource: "prod-ampls", message: /queryAccessMode is 'Open'/ },
    { what: "Application Insights outside the scope", env: "qa", stack: (s) => s.filter((r) => r.name !== "qa-ampls-insights"), resource: "qa-insights", message: /no Azure Monitor private link scope/ },
  ],
  "aks-egress-controlled": [
    { what: "egress through the public load balancer", env: "prod", stack: (s) => edited(s, "prod-aks", (i) => (i.networkProfile.outboundType = "loadBalancer")), resource: "prod-aks", message: /outboundType is 'loadBalancer'/ },
    { what: "outbound type left at AKS's default", env: "qa", stack: (s) => edited(s, "qa-aks", (i) => delete i.networkProfile.outboundType), resource: "qa-aks", message: /outboundType is 'loadBalancer'/ },
  ],
  "subnet-no-default-outbound": [
    { what: "AKS subnet keeping default outbound access", env: "prod", stack: (s) => edited(s, "prod-aks-subnet", (i) => delete i.defaultOutboundAccess), resource: "prod-aks-subnet", message: /defaultOutboundAccess is not set/ },
  ],
  "online-endpoint-public-network-disabled": [
    { what: "managed endpoint open to the internet", env: "prod", stack: (s) => edited(s, "prod-online", (i) => delete i.properties.compute), resource: "prod-online", message: /publicNetworkAccess is not set/ },
  ],
  "endpoint-token-auth": [
    { what: "key auth on a batch endpoint", env: "prod", stack: (s) => edited(s, "prod-batch", (i) => (i.properties.authMode = "Key")), resource: "prod-batch", message: /authMode is 'Key'/ },
  ],
  "ml-extension-tls-only": [
    { what: "plain HTTP scoring", env: "prod", stack: (s) => edited(s, "prod-azureml-extension", (i) => (i.configurationSettings.allowInsecureConnections = "True")), resource: "prod-azureml-extension", message: /plain HTTP/ },
  ],
  "ml-extension-internal-router": [
    { what: "public load balancer", env: "qa", stack: (s) => edited(s, "qa-azureml-extension", (i) => delete i.configurationSettings.internalLoadBalancerProvider), resource: "qa-azureml-extension", message: /public IP/ },
  ],
  "ci-federated-subject-pinned": [
    { what: "wildcard subject", env: "dev", stack: (s) => edited(s, "dev-github-oidc", (i) => (i.subject = "repo:contoso/*")), resource: "dev-github-oidc", message: /wildcard/ },
    { what: "pull requests deploying to prod", env: "prod", stack: (s) => edited(s, "prod-github-oidc", (i) => (i.subject = "repo:contoso/churn-mlops:pull_request")), resource: "prod-github-oidc", message: /any pull request deploy to prod/ },
    { what: "unpinned claim", env: "qa", stack: (s) => edited(s, "qa-github-oidc", (i) => (i.subject = "repo:contoso/churn-mlops:actor:mallory")), resource: "qa-github-oidc", message: /claim 'actor:mallory'/ },
    { what: "wrong audience", env: "qa", stack: (s) => edited(s, "qa-github-oidc", (i) => (i.audiences = ["api://other"])), resource: "qa-github-oidc", message: /audiences/ },
    { what: "Azure DevOps subject not a service connection", env: "prod", stack: (s) => edited(s, "prod-github-oidc", (i) => { i.issuer = "https://vstoken.dev.azure.com/66666666-6666-6666-6666-666666666666"; i.subject = "contoso/churn"; }), resource: "prod-github-oidc", message: /service connection/ },
  ],
  "ci-no-client-secrets": [
    { what: "application password", env: "dev", stack: added({ type: "azuread:index/applicationPassword:ApplicationPassword", name: "dev-ci-secret", inputs: { applicationId: "/applications/22222222-2222-2222-2222-222222222222", displayName: "ci" } }, "dev"), resource: "dev-ci-secret", message: /client secret/ },
  ],
  "no-privileged-role-assignment": [
    { what: "Owner for CI", env: "qa", stack: (s) => edited(s, "qa-ci-contributor", (i) => (i.roleDefinitionId = ROLE("8e3af657-a8ff-443c-a75c-2fe8c4bcb635"))), resource: "qa-ci-contributor", message: /assigns Owner/ },
    { what: "unconstrained RBAC Administrator", env: "prod", stack: (s) => edited(s, "prod-ci-rbac-admin", (i) => delete i.condition), resource: "prod-ci-rbac-admin", message: /assigns Role Based Access Control Administrator without a condition/ },
    { what: "a delegation condition that still allows Owner", env: "dev", stack: (s) => edited(s, "dev-ci-rbac-admin", (i) => (i.condition = i.condition.replace(/8e3af657-a8ff-443c-a75c-2fe8c4bcb635, /g, ""))), resource: "dev-ci-rbac-admin", message: /without a condition/ },
  ],
  "no-custom-owner-role": [
    { what: "custom role with every action", env: "dev", stack: added({ type: "azure-native:authorization:RoleDefinition", name: "dev-god-role", inputs: { roleName: "mlops-all", scope: `/subscriptions/${SUBSCRIPTION}`, permissions: [{ actions: ["*"], notActions: [] }], assignableScopes: [`/subscriptions/${SUBSCRIPTION}`] } }, "dev"), resource: "dev-god-role", message: /allows '\*'/ },
  ],
  "private-endpoints-for-workspace": [
    { what: "no file endpoint", env: "prod", stack: (s) => s.filter((r) => r.name !== "prod-pe-file"), resource: "prod-storage", message: /group 'file'/ },
    { what: "vault endpoint aimed at another vault", env: "qa", stack: (s) => edited(s, "qa-pe-vault", (i) => (i.privateLinkServiceConnections[0].privateLinkServiceId = armId("rg-mlops-qa", "Microsoft.KeyVault/vaults", "kv-elsewhere"))), resource: "qa-vault", message: /group 'vault'/ },
  ],
  "one-network-model": [
    { what: "managed network plus a compute subnet", env: "prod", stack: (s) => edited(s, "prod-cpu", (i) => (i.properties.properties.subnet = { id: `${armId("rg-mlops-prod", "Microsoft.Network/virtualNetworks", "vnet-mlops-prod")}/subnets/snet-compute` })), resource: "prod-cpu", message: /two network models/ },
    { what: "no network model", env: "qa", stack: (s) => edited(s, "qa-workspace", (i) => delete i.managedNetwork), resource: "qa-workspace", message: /no network model/ },
    { what: "no-public-IP nodes with nowhere to live", env: "prod", stack: (s) => edited(s, "prod-workspace", (i) => delete i.managedNetwork), resource: "prod-gpu", message: /Azure cannot place its nodes/ },
    {
      what: "one cluster outside the subnet the others use",
      env: "qa",
      stack: (s) =>
        edited(edited(edited(s, "qa-workspace", (i) => delete i.managedNetwork), "qa-cpu", (i) => (i.properties.properties.subnet = { id: `${armId("rg-mlops-qa", "Microsoft.Network/virtualNetworks", "vnet-mlops-qa")}/subnets/snet-compute` })), "qa-gpu", (i) => (i.properties.properties.enableNodePublicIp = true)),
      resource: "qa-gpu",
      message: /outside the compute subnet/,
    },
  ],
  "environment-isolation": [
    { what: "qa compute attached to the dev cluster", env: "qa", stack: (s) => edited(s, "qa-kubernetes", (i) => (i.properties.resourceId = armId("rg-mlops-dev-serving", "Microsoft.ContainerService/managedClusters", "aks-mlops-dev"))), resource: "qa-kubernetes", message: /properties.resourceId references the dev environment/ },
    { what: "prod copying from qa (only the origin, dev, is its source)", env: "prod", stack: (s) => edited(s, "prod-model-churn", (i) => (i.source = { subscriptionId: SUBSCRIPTION, resourceGroupName: "rg-mlops-qa", workspaceName: "mlw-mlops-qa" })), resource: "prod-model-churn", message: /source.resourceGroupName references the qa environment/ },
    { what: "write role on the promotion source", env: "qa", stack: (s) => edited(s, "qa-read-upstream-blobs", (i) => (i.roleDefinitionId = ROLE("ba92f5b4-2d11-453d-a403-e96b0029c9fe"))), resource: "qa-read-upstream-blobs", message: /only through a promoted model or a read-only role/ },
    {
      what: "a custom role on the origin that does more than record approvals as tags",
      env: "qa",
      stack: added(
        {
          type: "azure-native:authorization:RoleDefinition",
          name: "qa-origin-approval-recorder-role",
          inputs: {
            roleDefinitionId: "84279a98-1118-5a30-a999-55421b39a9a2",
            scope: armId("rg-mlops-dev", "Microsoft.MachineLearningServices/workspaces", "mlw-mlops-dev"),
            assignableScopes: [armId("rg-mlops-dev", "Microsoft.MachineLearningServices/workspaces", "mlw-mlops-dev")],
            permissions: [{ actions: ["Microsoft.MachineLearningServices/workspaces/models/versions/write", "Microsoft.MachineLearningServices/workspaces/jobs/write"] }],
          },
          protect: false,
        },
        "qa",
      ),
      resource: "qa-origin-approval-recorder-role",
      message: /scope references the dev environment/,
    },
    { what: "a resource group this stack does not declare", env: "prod", stack: (s) => edited(s, "prod-online", (i) => (i.resourceGroupName = "rg-shared")), resource: "prod-online", message: /'rg-shared', which this stack does not declare/ },
    { what: "dev reaching into prod by workspace name", env: "dev", stack: (s) => edited(s, "dev-batch", (i) => (i.workspaceName = "mlw-mlops-prod")), resource: "dev-batch", message: /workspaceName references the prod environment/ },
  ],
  "required-tags": [
    { what: "missing stack tag", env: "dev", stack: (s) => edited(s, "dev-storage", (i) => delete i.tags.stack), resource: "dev-storage", message: /missing tag 'stack'/ },
    { what: "tag of another environment", env: "prod", stack: (s) => edited(s, "prod-vault", (i) => (i.tags.environment = "qa")), resource: "prod-vault", message: /tag environment is 'qa' in the prod stack/ },
  ],
  "prod-stateful-protected": [
    { what: "unprotected vault", env: "prod", stack: (s) => edited(s, "prod-vault", (_i, r) => (r.protect = false)), resource: "prod-vault", message: /not protected/ },
  ],
};

test("every rule has at least one failing case, and every case names a rule", () => {
  const names = allRules.map((r) => r.name);
  expect(names.filter((n) => !CASES[n])).toEqual([]);
  expect(Object.keys(CASES).filter((n) => !names.includes(n))).toEqual([]);
  expect(allRules.length).toBeGreaterThanOrEqual(30);
});

describe.each(allRules.map((r) => [r.name, r] as const))("%s", (name, rule) => {
  test.each(enabledEnvironments(rule))("passes on the hardened %s stack", (env) => {
    const { findings } = runRule(name, hardenedStack({ environment: env }), env);
    expect(findings).toEqual([]);
  });

  test.each((CASES[name] ?? []).map((c) => [c.what, c] as const))("fails: %s", (_what, c) => {
    const stack = c.stack(hardenedStack({ environment: c.env }));
    const { findings } = runRule(name, stack, c.env);
    const target = stack.find((r) => r.name === c.resource)!;
    const mine = findings.filter((f) => f.urn === target.urn);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.map((f) => f.message).join("\n")).toMatch(c.message);
    for (const f of mine) {
      expect(f.policy).toBe(name);
      expect(f.level).toBe(rule.levels[c.env]);
      expect(f.message).toContain(c.resource);
      expect(f.message).toContain(`Fix: ${rule.remediation}`);
    }
  });
});

test("environment-isolation lets qa hold exactly the approval recorder on the origin (the role the qa stack declares), nothing wider", () => {
  const { APPROVAL_RECORDER_ACTIONS: declared } = require("../../infra/stack/promotion") as typeof import("../../infra/stack/promotion");
  const { APPROVAL_RECORDER_ACTIONS: allowedByPolicy } = require("../../policy/rules/isolation") as typeof import("../../policy/rules/isolation");
  expect([...allowedByPolicy].sort()).toEqual([...declared].sort());
  const devWorkspace = armId("rg-mlops-dev", "Microsoft.MachineLearningServices/workspaces", "mlw-mlops-dev");
  const guid = "84279a98-1118-5a30-a999-55421b39a9a2";
  const withRecorder = (actions: string[]) =>
    added({ type: "azure-native:authorization:RoleAssignment", name: "qa-origin-approval-recorder", inputs: { scope: devWorkspace, roleDefinitionId: ROLE(guid), principalId: "p" }, protect: false }, "qa")(
      added({ type: "azure-native:authorization:RoleDefinition", name: "qa-origin-approval-recorder-role", inputs: { roleDefinitionId: guid, scope: devWorkspace, assignableScopes: [devWorkspace], permissions: [{ actions }] }, protect: false }, "qa")(
        hardenedStack({ environment: "qa" }),
      ),
    );
  expect(runRule("environment-isolation", withRecorder(declared), "qa").findings).toEqual([]);
  const wider = runRule("environment-isolation", withRecorder([...declared, "Microsoft.MachineLearningServices/workspaces/jobs/write"]), "qa").findings.map((f) => f.urn);
  expect(wider).toEqual(expect.arrayContaining([expect.stringContaining("qa-origin-approval-recorder-role"), expect.stringContaining("qa-origin-approval-recorder")]));
});

test("defender-plans reports every plan prod does not buy, on the stack, and passes when all four are bought", () => {
  const full = hardenedStack({ environment: "prod" });
  expect(runRule("defender-plans", full, "prod").findings).toEqual([]);
  const without = full.filter((r) => !["prod-defender-keyvaults", "prod-defender-arm"].includes(r.name));
  const { findings } = runRule("defender-plans", without, "prod");
  expect(findings).toHaveLength(1);
  expect(findings[0].level).toBe("mandatory");
  expect(findings[0].message).toMatch(/no Defender plan declared for KeyVaults, Arm/);
  // qa and dev do not have to buy them (the rule is prod's paid hardening).
  expect(runRule("defender-plans", without.map((r) => ({ ...r })), "qa").findings).toEqual([]);
});

test("vnet-flow-logs accepts a flow log kept forever (retention days 0) and refuses one with retention off", () => {
  const forever = edited(hardenedStack({ environment: "prod" }), "prod-flowlog", (i) => (i.retentionPolicy.days = 0));
  expect(runRule("vnet-flow-logs", forever, "prod").findings).toEqual([]);
  const off = edited(hardenedStack({ environment: "prod" }), "prod-flowlog", (i) => (i.retentionPolicy.enabled = false));
  expect(runRule("vnet-flow-logs", off, "prod").findings.map((f) => f.message).join("\n")).toMatch(/retention off/);
});

test("environment-isolation lets a registry-strategy stack use the origin's registry (its own endpoint, rule, AzureML Registry User on the registry), nothing wider", () => {
  const registry = armId("rg-mlops-dev", "Microsoft.MachineLearningServices/registries", "mlreg-mlops");
  const devWorkspace = armId("rg-mlops-dev", "Microsoft.MachineLearningServices/workspaces", "mlw-mlops-dev");
  const REGISTRY_USER = "1823dd4f-9b8c-4ab6-ab4e-7397a3684615";
  const access = (roleScope: string, groupIds: string[], role = REGISTRY_USER) =>
    added({ type: "pulumi-nodejs:dynamic/mlops:RegistryModel", name: "prod-model-churn-registry", inputs: { modelName: "churn", registry: { subscriptionId: SUBSCRIPTION, resourceGroupName: "rg-mlops-dev", registryName: "mlreg-mlops" }, source: { subscriptionId: SUBSCRIPTION, resourceGroupName: "rg-mlops-dev", workspaceName: "mlw-mlops-dev" } }, protect: false }, "prod")(
      added({ type: "azure-native:network:PrivateEndpoint", name: "prod-pe-amlregistry", inputs: { resourceGroupName: "rg-mlops-prod", privateLinkServiceConnections: [{ name: "pe", privateLinkServiceId: registry, groupIds }] }, protect: false }, "prod")(
        added({ type: "azure-native:machinelearningservices:ManagedNetworkSettingsRule", name: "prod-outbound-model-registry", inputs: { resourceGroupName: "rg-mlops-prod", workspaceName: "mlw-mlops-prod", properties: { type: "PrivateEndpoint", destination: { serviceResourceId: registry, subresourceTarget: "amlregistry" } } }, protect: false }, "prod")(
          added({ type: "azure-native:authorization:RoleAssignment", name: "prod-ci-model-registry-user", inputs: { scope: roleScope, roleDefinitionId: ROLE(role), principalId: "p" }, protect: false }, "prod")(hardenedStack({ environment: "prod" })),
        ),
      ),
    );
  expect(runRule("environment-isolation", access(registry, ["amlregistry"]), "prod").findings).toEqual([]);
  // AzureML Registry User on the origin's workspace (not its registry), an endpoint into the origin's
  // workspace, and a write role on the registry are all refused.
  const urns = (s: ReturnType<typeof access>) => runRule("environment-isolation", s, "prod").findings.map((f) => f.urn);
  expect(urns(access(devWorkspace, ["amlregistry"]))).toEqual([expect.stringContaining("prod-ci-model-registry-user")]);
  expect(urns(access(registry, ["amlworkspace"]))).toEqual([expect.stringContaining("prod-pe-amlregistry")]);
  expect(urns(access(registry, ["amlregistry"], "b24988ac-6180-42a0-ab88-20f7382dd24c"))).toEqual([expect.stringContaining("prod-ci-model-registry-user")]);
});
