/**
 * The whole stack-config surface, as JSON Schema (draft 2020-12 subset that Ajv 8 validates).
 * Every key lives in the project namespace (`mlops:<key>` in Pulumi.<stack>.yaml). Every default is
 * stated once, in `defaults.ts`; `default` below shows the environment-independent ones (and feeds the
 * generated reference), the descriptions name the per-environment ones.
 */
import { ENVIRONMENT_NAMES, NODE_KINDS } from "../../shared/kinds";
import { DEFAULTS } from "./defaults";

const azureName = { type: "string", minLength: 1, maxLength: 64 } as const;
const GUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
const cidr = {
  type: "string",
  pattern: "^(?:\\d{1,3}\\.){3}\\d{1,3}/\\d{1,2}$",
  description: "IPv4 CIDR, e.g. 10.20.0.0/16",
} as const;
const clusterKey = {
  type: "string",
  pattern: "^[a-z][a-z0-9-]{0,11}$",
  description: "Short key of a compute cluster (lowercase, ≤ 12); the physical name is derived from it",
} as const;
const isoDuration = {
  type: "string",
  pattern: "^P(?!$)(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?$",
  description: "ISO 8601 duration, e.g. PT15M",
} as const;

const clusterSchema = {
  type: "object",
  additionalProperties: false,
  required: ["name", "kind", "vmSize", "maxNodes"],
  description: "An Azure ML compute cluster (AmlCompute).",
  properties: {
    name: clusterKey,
    kind: { enum: [...NODE_KINDS], description: "cpu or gpu; a gpu cluster needs a GPU VM family (NC, ND, NV)" },
    vmSize: { type: "string", pattern: "^Standard_[A-Za-z0-9_]+$", description: "Azure VM size, e.g. Standard_DS3_v2" },
    nodePublicIp: {
      type: "boolean",
      default: DEFAULTS.cluster.nodePublicIp,
      description: "Opt-out: public IPs on nodes (flagged by policy; mandatory violation in qa/prod)",
    },
    priority: {
      enum: ["Dedicated", "LowPriority"],
      description: "default: LowPriority in dev and qa, Dedicated in prod",
    },
    minNodes: { type: "integer", minimum: 0, maximum: 1000, default: DEFAULTS.cluster.minNodes },
    maxNodes: { type: "integer", minimum: 1, maximum: 1000 },
    idleTimeBeforeScaleDown: { ...isoDuration, default: DEFAULTS.cluster.idleTimeBeforeScaleDown },
    description: { type: "string", maxLength: 256 },
  },
} as const;

const poolSchema = {
  type: "object",
  additionalProperties: false,
  required: ["name", "vmSize", "maxCount"],
  properties: {
    name: { type: "string", pattern: "^[a-z][a-z0-9]{0,11}$", description: "AKS pool name (lowercase, ≤ 12)" },
    kind: { enum: [...NODE_KINDS], default: DEFAULTS.pool.kind, description: "gpu pools are tainted sku=gpu:NoSchedule" },
    vmSize: { type: "string", pattern: "^Standard_[A-Za-z0-9_]+$" },
    minCount: { type: "integer", minimum: 0, maximum: 1000, default: DEFAULTS.pool.minCount },
    maxCount: { type: "integer", minimum: 1, maximum: 1000 },
  },
} as const;

export const configSchema = {
  $id: "https://mlops.local/schemas/stack-config.json",
  type: "object",
  additionalProperties: false,
  properties: {
    environment: {
      enum: [...ENVIRONMENT_NAMES],
      description: "Environment kind. A branch stack copies dev's config and keeps `dev`.",
    },
    location: {
      type: "string",
      pattern: "^[a-z][a-z0-9]{2,30}$",
      description: "Azure region, e.g. westeurope",
    },
    prefix: {
      type: "string",
      pattern: "^[a-z][a-z0-9]{1,7}$",
      description: "Short prefix (2–8 lowercase letters/digits) at the start of every physical name",
    },
    subscriptionId: {
      type: "string",
      pattern: "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
      description: "Optional: salts globally unique names so two subscriptions never collide",
    },
    branch: {
      type: "string",
      minLength: 1,
      maxLength: 250,
      description: "Branch stacks only: the git branch (otherwise taken from CI variables or git)",
    },
    tags: {
      type: "object",
      description: "Extra tags on every taggable resource (environment, stack, managed-by are always set)",
      maxProperties: 40,
      propertyNames: { type: "string", pattern: "^[^<>%&\\\\?/]{1,512}$" },
      additionalProperties: { type: "string", maxLength: 256 },
    },
    protect: {
      type: "boolean",
      description: "Protect stateful resources (workspace, storage, vault, registry, AKS); default true in prod",
    },
    network: {
      type: "object",
      additionalProperties: false,
      properties: {
        mode: { enum: ["public", "private"], description: "default: public in dev, private in qa and prod" },
        addressSpace: { ...cidr, description: "Required in private mode and for AKS: the environment's own VNet" },
        subnets: {
          type: "object",
          additionalProperties: false,
          // No compute subnet: clusters run in the workspace's managed VNet (one network model).
          properties: {
            privateEndpoints: { ...cidr, description: "Subnet of the private endpoints (private mode)" },
            aks: { ...cidr, description: "Subnet of the AKS nodes (serving)" },
            firewall: { ...cidr, description: "AzureFirewallSubnet (/26 or larger) of the Azure Firewall that filters AKS egress (security.egressFirewall)" },
            runners: { ...cidr, description: "Subnet of the CI runners that deploy, promote, publish and audit this environment from inside its network (see mlops:runners)" },
            containerApps: { ...cidr, description: "Subnet of the Container Apps environment serving the custom image (see mlops:customImage): /27 or larger, delegated to Microsoft.App/environments" },
            imageBuild: { ...cidr, description: "Subnet of the ACR Tasks agent pool that builds the custom image in private mode (see mlops:customImage)" },
          },
        },
      },
    },
    workspace: {
      type: "object",
      additionalProperties: false,
      properties: {
        friendlyName: { type: "string", maxLength: 256 },
        description: { type: "string", maxLength: 256 },
        highBusinessImpact: { type: "boolean", default: DEFAULTS.workspace.highBusinessImpact, description: "HBI workspace (less diagnostic data)" },
        publicNetworkAccess: {
          enum: ["Enabled", "Disabled"],
          description: "Opt-out: overrides the network mode for the workspace alone (flagged by policy in qa/prod)",
        },
        imageBuildCluster: { ...clusterKey, description: "Cluster that builds images when the registry is private" },
      },
    },
    keyVault: {
      type: "object",
      additionalProperties: false,
      properties: {
        purgeProtection: { type: "boolean", description: "default true in qa and prod, false in dev" },
        softDeleteRetentionDays: { type: "integer", minimum: 7, maximum: 90, default: DEFAULTS.keyVault.softDeleteRetentionDays },
      },
    },
    storage: {
      type: "object",
      additionalProperties: false,
      properties: {
        allowBlobPublicAccess: { type: "boolean", default: DEFAULTS.storage.allowBlobPublicAccess, description: "Opt-out: anonymous blob access (flagged by policy)" },
      },
    },
    registry: {
      type: "object",
      additionalProperties: false,
      properties: {
        adminUserEnabled: { type: "boolean", default: DEFAULTS.registry.adminUserEnabled, description: "Opt-out: the registry's admin user (flagged by policy)" },
        sku: { enum: ["Basic", "Standard", "Premium"], description: "default Premium when private (private link needs it), else Basic" },
      },
    },
    compute: {
      type: "object",
      additionalProperties: false,
      properties: {
        clusters: { type: "array", maxItems: 50, items: clusterSchema },
      },
    },
    datastores: {
      type: "array",
      maxItems: 50,
      description: "Blob containers + Azure ML datastores (identity-based). training, scoring and toy always exist.",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name"],
        properties: {
          name: { type: "string", pattern: "^[a-z][a-z0-9_]{0,29}$", description: "Datastore name: lowercase, digits, _" },
          container: { type: "string", pattern: "^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$" },
          description: { type: "string", maxLength: 256 },
          readOnly: { type: "boolean", default: DEFAULTS.datastore.readOnly },
        },
      },
    },
    serving: {
      type: "object",
      additionalProperties: false,
      properties: {
        enabled: { type: "boolean", description: "default: true in qa and prod, false in dev" },
        kubernetesVersion: {
          type: "string",
          pattern: "^\\d+\\.\\d+(\\.\\d+)?$",
          description: "Pinned AKS version (major.minor[.patch])",
        },
        upgradeChannel: { enum: ["patch", "stable", "rapid", "node-image"], default: DEFAULTS.serving.upgradeChannel },
        azureRbac: { type: "boolean", default: DEFAULTS.serving.azureRbac, description: "Opt-out: Kubernetes authorization by Azure RBAC (flagged by policy when off)" },
        privateCluster: { type: "boolean", description: "Private API server; default true in prod" },
        authorizedIpRanges: { type: "array", items: cidr, maxItems: 200 },
        systemPool: {
          type: "object",
          additionalProperties: false,
          properties: {
            vmSize: { type: "string", pattern: "^Standard_[A-Za-z0-9_]+$", default: DEFAULTS.serving.systemPool.vmSize },
            minCount: { type: "integer", minimum: 1, maximum: 100, default: DEFAULTS.serving.systemPool.minCount },
            maxCount: { type: "integer", minimum: 1, maximum: 100, default: DEFAULTS.serving.systemPool.maxCount },
          },
        },
        userPools: { type: "array", maxItems: 10, items: poolSchema },
        instanceTypes: {
          type: "array",
          maxItems: 20,
          items: {
            type: "object",
            additionalProperties: false,
            required: ["name", "cpu", "memory"],
            properties: {
              name: { type: "string", pattern: "^[a-z][a-z0-9]{0,29}$" },
              cpu: { type: "string", pattern: "^\\d+(\\.\\d+)?m?$" },
              memory: { type: "string", pattern: "^\\d+(Mi|Gi)$" },
              gpu: { type: "integer", minimum: 0, maximum: 16 },
              nodePool: { type: "string" },
            },
          },
        },
        onlineEndpoint: {
          type: "object",
          additionalProperties: false,
          properties: {
            authMode: {
              enum: ["AMLToken", "Key"],
              default: DEFAULTS.serving.authMode,
              description: "Kubernetes online endpoints accept AMLToken or Key (Entra tokens are for managed online endpoints)",
            },
            instanceType: { type: "string" },
            instanceCount: { type: "integer", minimum: 1, maximum: 100, default: DEFAULTS.serving.instanceCount },
            model: {
              type: "object",
              additionalProperties: false,
              required: ["name"],
              properties: {
                name: { type: "string", pattern: "^[a-zA-Z0-9][a-zA-Z0-9_-]{0,29}$" },
                version: { type: "string", pattern: "^[0-9]+$" },
              },
            },
          },
        },
        batchEndpoint: {
          type: "object",
          additionalProperties: false,
          properties: {
            enabled: { type: "boolean", default: DEFAULTS.serving.batchEnabled },
            cluster: clusterKey,
          },
        },
        tls: {
          type: "object",
          additionalProperties: false,
          description: "HTTPS of the inference router (the Azure ML extension refuses insecure connections)",
          properties: {
            cname: {
              type: "string",
              maxLength: 253,
              pattern: "^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$",
              description: "Host name clients call the router by; it must resolve to the router's load balancer. default: inference.<environment>.<prefix>.internal",
            },
          },
        },
        instanceTypesInCluster: {
          type: "boolean",
          default: DEFAULTS.serving.instanceTypesInCluster,
          description: "Set true when you apply the listed instanceTypes to the cluster yourself; otherwise serving.gitops has Flux apply them",
        },
        gitops: {
          type: "object",
          additionalProperties: false,
          required: ["repositoryUrl"],
          description: "Repository Flux (AKS GitOps extension) reads the instance-type manifests from (deploy/instance-types/<stack>, written by npm run instance-types)",
          properties: {
            repositoryUrl: { type: "string", pattern: "^https://[^\\s]+$", maxLength: 500 },
            branch: { type: "string", pattern: "^[A-Za-z0-9._/-]{1,250}$", default: DEFAULTS.serving.gitopsBranch },
            httpsUser: {
              type: "string",
              pattern: "^[^\\s]{1,200}$",
              description: "User for a private repository over HTTPS; its token is the secret config key gitopsHttpsKey (e.g. a read-only PAT)",
            },
          },
        },
        pairedRegion: { type: "string", pattern: "^[a-z0-9]+$", description: "Region paired with `location` (known pairs need no entry)" },
        azureMlControlPlaneRanges: {
          type: "object",
          description: "Region → CIDRs of the service tag AzureMachineLearning.<Region>; required for the region and its pair when the API server is public, and added to its authorized ranges",
          propertyNames: { pattern: "^[a-z0-9]+$" },
          additionalProperties: { type: "array", items: cidr, minItems: 1, maxItems: 200 },
        },
        rollout: {
          type: "object",
          additionalProperties: false,
          description: "Safe rollout of a new model version on the online endpoint",
          properties: {
            steps: {
              type: "array",
              items: { type: "integer", minimum: 1, maximum: 100 },
              minItems: 1,
              maxItems: 10,
              default: DEFAULTS.serving.rolloutSteps,
              description: "Traffic percentages for the new deployment, rising, ending at 100",
            },
            holdSeconds: { type: "integer", minimum: 0, maximum: 3600, description: "Hold per intermediate step (default 60, prod 300)" },
            smokeRequest: {
              type: "string",
              maxLength: 256,
              default: DEFAULTS.serving.smokeRequest,
              description: "JSON request file (relative to the project) sent through the scoring path before each step",
            },
          },
        },
      },
    },
    gitopsHttpsKey: { type: "string", maxLength: 4096, description: "Secret: token Flux reads serving.gitops.repositoryUrl with (serving.gitops.httpsUser)" },
    servingTlsCertificate: { type: "string", maxLength: 65536, description: "Secret: PEM certificate of the inference router (serving.tls.cname)" },
    servingTlsKey: { type: "string", maxLength: 65536, description: "Secret: PEM private key of the inference router" },
    runners: {
      type: "object",
      additionalProperties: false,
      required: ["kind"],
      description: "CI runners inside this environment's network (qa, prod): reach the private data planes for deployment, promotion, publishing and drift",
      properties: {
        kind: {
          enum: ["githubHosted", "managedDevOpsPool"],
          description: "`githubHosted`: GitHub-hosted runners with Azure private networking (GitHub.Network/networkSettings); `managedDevOpsPool`: an Azure DevOps Managed DevOps Pool",
        },
        github: {
          type: "object",
          additionalProperties: false,
          required: ["businessId"],
          properties: {
            businessId: { type: "string", pattern: "^[0-9]{1,20}$", description: "GitHub organization or enterprise databaseId (GraphQL), which the network settings bind to" },
          },
        },
        managedDevOpsPool: {
          type: "object",
          additionalProperties: false,
          required: ["organizationUrl", "devCenterProjectResourceId"],
          properties: {
            organizationUrl: { type: "string", pattern: "^https://dev\\.azure\\.com/[A-Za-z0-9][A-Za-z0-9-]{0,48}/?$", description: "e.g. https://dev.azure.com/contoso" },
            projects: { type: "array", maxItems: 50, items: { type: "string", minLength: 1, maxLength: 64 } },
            devCenterProjectResourceId: {
              type: "string",
              pattern: "^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.DevCenter/projects/[^/]+$",
              description: "Dev Center project the pool belongs to (a prerequisite)",
            },
            maximumConcurrency: { type: "integer", minimum: 1, maximum: 10000, default: DEFAULTS.managedDevOpsPool.maximumConcurrency },
            vmSize: { type: "string", pattern: "^Standard_[A-Za-z0-9_]+$", default: DEFAULTS.managedDevOpsPool.vmSize },
            image: { type: "string", minLength: 1, default: DEFAULTS.managedDevOpsPool.image, description: "Well-known image name" },
          },
        },
      },
    },
    customImage: {
      type: "object",
      additionalProperties: false,
      description:
        "Opt-in: the promoted model and a small scoring server in an image built by ACR Tasks in this environment's registry, served on Azure Container Apps in this environment's network (qa, prod)",
      properties: {
        enabled: { type: "boolean", default: false },
        model: { type: "string", pattern: "^[a-zA-Z0-9][a-zA-Z0-9_-]{0,29}$", description: "A model of promotion.models (default: the first)" },
        cpu: {
          enum: [0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2],
          default: 0.5,
          description: "vCPU per replica on the Consumption profile; memory is 2 GiB per vCPU",
        },
        minReplicas: { type: "integer", minimum: 0, maximum: 30, default: 1 },
        maxReplicas: { type: "integer", minimum: 1, maximum: 30, default: 3 },
        agentPoolTier: { enum: ["S1", "S2", "S3"], default: "S1", description: "ACR Tasks agent pool tier (private mode: 2, 4 or 8 vCPU)" },
      },
    },
    promotion: {
      type: "object",
      additionalProperties: false,
      properties: {
        upstreamStack: {
          type: "string",
          pattern: "^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+){0,2}$",
          description: "Stack promoted from, e.g. `organization/mlops/dev` (qa) or `.../qa` (prod)",
        },
        originStack: {
          type: "string",
          pattern: "^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+){0,2}$",
          description: "Stack of the workspace that trains the models (dev), the only one model bytes are copied from; required in prod, where qa approves but dev holds the bytes",
        },
        approvalTag: {
          type: "object",
          additionalProperties: false,
          properties: {
            key: { type: "string", pattern: "^[A-Za-z0-9_.-]{1,64}$", default: DEFAULTS.promotion.approvalTagKey },
            // No ',' or '=': the approval query is a `tags=k=v` filter, a comma-separated list.
            value: { type: "string", minLength: 1, maxLength: 64, pattern: "^[^,=\\s]([^,=]*[^,=\\s])?$", default: DEFAULTS.promotion.approvalTagValue },
          },
        },
        models: {
          type: "array",
          maxItems: 50,
          items: {
            type: "object",
            additionalProperties: false,
            required: ["name"],
            properties: {
              name: { type: "string", pattern: "^[a-zA-Z0-9][a-zA-Z0-9_-]{0,29}$" },
              pinnedVersion: { type: "string", pattern: "^[0-9]+$", description: "Use this version, not the latest approved" },
            },
          },
        },
        archiveOnDelete: { type: "boolean", default: DEFAULTS.promotion.archiveOnDelete },
        exports: {
          type: "array",
          maxItems: 20,
          description: "Known locations the promoted models are also exported to (a storage container and prefix, no workspace): same origin copy and verification, no registration (copy strategy)",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["storageAccountName", "containerName"],
            properties: {
              storageAccountName: { type: "string", pattern: "^[a-z0-9]{3,24}$", description: "Storage account of the known location" },
              containerName: { type: "string", pattern: "^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", description: "Blob container (3-63 lowercase letters, digits, single hyphens)" },
              pathPrefix: { type: "string", pattern: "^[^/](.*[^/])?$", maxLength: 512, default: DEFAULTS.promotion.exportPathPrefix, description: "Folder under which `<model>/<version>/` is written" },
              models: { type: "array", items: { type: "string", minLength: 1 }, description: "Models to export (default: every promoted model)" },
              deleteFilesOnDelete: { type: "boolean", default: DEFAULTS.promotion.exportDeleteFilesOnDelete, description: "Removing the export deletes its files (default: consumers keep them)" },
            },
          },
        },
        strategy: {
          type: "string",
          enum: ["copy", "registry"],
          default: DEFAULTS.promotion.strategy,
          description:
            "`copy`: server-side blob copy from the origin's storage into this workspace; `registry`: the service shares the origin version into the Azure ML registry the origin stack declares (`mlops:modelRegistry`), batch deployments reference it there and Kubernetes endpoints get it imported by a job",
        },
        registry: {
          type: "object",
          additionalProperties: false,
          description: "Registry strategy settings",
          properties: {
            importCluster: { type: "string", minLength: 1, description: "Key of the compute cluster that runs the import job for the Kubernetes online endpoint (required with serving)" },
            importEnvironment: {
              type: "string",
              minLength: 1,
              default: DEFAULTS.promotion.registryImportEnvironment,
              description: "Environment of the import job (any image with a shell: the job only copies files)",
            },
          },
        },
      },
    },
    modelRegistry: {
      type: "object",
      additionalProperties: false,
      required: ["name"],
      description: "The Azure ML registry the origin stack (dev) declares for the registry promotion strategy of qa and prod",
      properties: {
        name: { type: "string", pattern: "^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$", description: "Registry name (tenant-unique)" },
        publicNetworkAccess: { type: "string", enum: ["Enabled", "Disabled"], default: "Disabled", description: "Disabled: reached only through the private endpoints qa and prod declare" },
      },
    },
    pipelines: {
      type: "object",
      additionalProperties: false,
      properties: {
        publish: {
          type: "array",
          items: { type: "string", pattern: "^[a-z][a-z0-9_-]{0,31}$" },
          uniqueItems: true,
          description: "Pipeline definitions (pipelines/definitions) published into the workspace",
        },
        schedules: {
          type: "array",
          maxItems: 20,
          items: {
            type: "object",
            additionalProperties: false,
            required: ["pipeline", "cron"],
            properties: {
              pipeline: { type: "string" },
              cron: { type: "string", pattern: "^\\S+( \\S+){4}$", description: "5-field cron expression" },
              timeZone: { type: "string", default: DEFAULTS.schedule.timeZone },
              dataset: { type: "string", pattern: "^[a-z][a-z0-9_]{0,29}$", default: DEFAULTS.schedule.dataset },
            },
          },
        },
      },
    },
    security: {
      type: "object",
      additionalProperties: false,
      description: "Paid or create-time-only hardening; cost and prerequisites in README \"Security options\".",
      properties: {
        defenderPlans: {
          type: "array",
          uniqueItems: true,
          maxItems: 4,
          items: { enum: ["Containers", "KeyVaults", "StorageAccounts", "Arm"] },
          description:
            "Microsoft Defender for Cloud plans set to Standard on the stack's subscription (subscription-wide: declare them in one stack per subscription); default all four in prod, none elsewhere. Containers also turns on the AKS cluster's Defender sensor",
        },
        customerManagedKeys: {
          type: "boolean",
          description:
            "Encrypt the workspace and its storage account with an RSA key in the environment's key vault (needs keyVault.purgeProtection; only at creation); default true in qa and prod",
        },
        egressFirewall: {
          type: "boolean",
          description:
            "AKS egress through Azure Firewall (route table 0.0.0.0/0 on the AKS subnet, outboundType userDefinedRouting, only the FQDNs AKS and Azure ML document); needs network.subnets.firewall, private mode and serving; default on when that subnet is set",
        },
        flowLogs: {
          type: "boolean",
          description: "Virtual network flow logs (Network Watcher) to the environment's storage account, kept as long as its logs; default true in qa and prod",
        },
      },
    },
    identity: {
      type: "object",
      additionalProperties: false,
      properties: {
        github: {
          type: "object",
          additionalProperties: false,
          required: ["repository"],
          properties: {
            repository: { type: "string", pattern: "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$" },
            environments: { type: "array", items: { type: "string", pattern: "^[A-Za-z0-9_.-]{1,255}$" } },
            branches: { type: "array", items: { type: "string", pattern: "^[A-Za-z0-9_./-]{1,255}$" } },
            pullRequests: { type: "boolean", default: DEFAULTS.identity.githubPullRequests },
          },
        },
        azureDevOps: {
          type: "object",
          additionalProperties: false,
          required: ["organization", "project"],
          properties: {
            organization: { type: "string", pattern: "^[A-Za-z0-9-]{1,50}$" },
            organizationId: { type: "string", pattern: GUID, description: "Azure DevOps organization id (a GUID)" },
            project: { type: "string", minLength: 1, maxLength: 64 },
            serviceConnection: { type: "string", minLength: 1, maxLength: 128, description: "deployer's service connection; default <project>-<stack>" },
            serviceConnectionId: { type: "string", pattern: GUID, description: "its id, shown by Azure DevOps" },
            auditServiceConnection: { type: "string", minLength: 1, maxLength: 128, description: "audit identity's service connection; default <serviceConnection>-audit" },
            auditServiceConnectionId: { type: "string", pattern: GUID },
            tenantId: { type: "string", pattern: GUID, description: "Entra tenant of the identities (issuer https://login.microsoftonline.com/<tenant>/v2.0)" },
            entraSubjectPrefix: {
              type: "string",
              pattern: "^/eid1/c/pub/t/[A-Za-z0-9_-]+/a/[A-Za-z0-9_-]+$",
              description: "the '<entra prefix>' of the subject Azure DevOps shows for the connection (before /sc/)",
            },
            issuer: { enum: ["entra", "azureDevOps"], default: DEFAULTS.identity.azureDevOpsIssuer, description: "azureDevOps = the retiring vstoken.dev.azure.com issuer with sc:// subjects" },
          },
        },
        audit: {
          type: "object",
          additionalProperties: false,
          properties: {
            enabled: { type: "boolean", default: DEFAULTS.audit.enabled, description: "read-only identity for drift audits (when GitHub or Azure DevOps is configured)" },
            graphRead: { type: "boolean", default: DEFAULTS.audit.graphRead, description: "grant it Microsoft Graph read (Application.Read.All, Group.Read.All) to refresh azuread resources" },
          },
        },
        dataScientists: {
          type: "object",
          additionalProperties: false,
          properties: {
            enabled: { type: "boolean", default: DEFAULTS.identity.dataScientistsEnabled },
            displayName: azureName,
            members: { type: "array", items: { type: "string", description: "object ids" } },
          },
        },
      },
    },
  },
} as const;

/** Top-level keys of the project namespace. */
export const configKeys = Object.keys(configSchema.properties) as (keyof typeof configSchema.properties)[];
