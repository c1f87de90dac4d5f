import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources";
import * as storage from "@pulumi/azure-native/storage";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as applicationinsights from "@pulumi/azure-native/applicationinsights";
import * as containerregistry from "@pulumi/azure-native/containerregistry";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as ml from "@pulumi/azure-native/machinelearningservices";
import { BuiltInRole, grantRole } from "../authorization/roles";
import { attachDiagnosticSettings, DiagnosticSettingOptions } from "../monitoring";
import type { EnvironmentNames } from "../../shared/naming";

/**
 * What other components take of an environment's workspace: the `MlWorkspace` component itself (its
 * outputs), or the same values from a stack reference. Each takes only the fields it needs.
 */
export type WorkspaceHandle = {
  [K in "resourceGroupName" | "workspaceName" | "workspaceId" | "storageAccountId" | "registryId" | "identityPrincipalId" | "blobEndpoint" | "defaultBlobContainer"]: pulumi.Input<string>;
};

export interface MlWorkspaceArgs {
  /** Azure region for every resource of the environment core. */
  location: string;
  /** Tags for every taggable resource. */
  tags: Record<string, string>;
  /** Physical names, derived and checked by shared/naming. */
  names: Pick<EnvironmentNames, "resourceGroup" | "storageAccount" | "keyVault" | "containerRegistry" | "logAnalytics" | "appInsights" | "workspace">;
  /** Entra tenant of the key vault. */
  tenantId: pulumi.Input<string>;
  /** Subscription the environment lives in (role definition ids are subscription-scoped). */
  subscriptionId: pulumi.Input<string>;
  /** `private` closes public network access on the workspace and every dependency. */
  networkMode: "public" | "private";
  keyVault: { purgeProtection: boolean; softDeleteRetentionDays: number };
  registrySku: "Basic" | "Standard" | "Premium";
  /** Opt-outs of the secure defaults, each named so a reviewer (and the policy pack) sees it. */
  optOuts: {
    /** Overrides the network mode for the workspace alone. */
    workspacePublicNetworkAccess?: "Enabled" | "Disabled";
    allowBlobPublicAccess: boolean;
    registryAdminUserEnabled: boolean;
  };
  /** Shared-key access on storage; off needs identity-based datastores (which this project uses). */
  allowSharedKeyAccess: boolean;
  friendlyName: string;
  description: string;
  highBusinessImpact: boolean;
  /** Compute cluster that builds images when the registry is not reachable publicly. */
  imageBuildCompute?: string;
  /** Log retention in days for the Log Analytics workspace. */
  logRetentionDays: number;
  /**
   * Resource logs of the workspace, storage (blob and file services), key vault and registry. A
   * destination without `workspaceResourceId` goes to this component's own Log Analytics workspace.
   */
  /**
   * Encrypt the workspace and its storage account with an RSA key in the environment's key vault,
   * used through the workspace's user-assigned identity. Only at creation: Azure ML cannot add or
   * remove a customer-managed key on an existing workspace (MS Learn, "Customer-managed keys for
   * Azure Machine Learning"); the vault needs purge protection. Azure ML then keeps the workspace's
   * metadata in Microsoft-managed Cosmos DB, AI Search and storage billed to the subscription.
   */
  customerManagedKey?: boolean;
  diagnosticSettings?: (Omit<DiagnosticSettingOptions, "workspaceResourceId"> & { workspaceResourceId?: pulumi.Input<string> })[];
}

/**
 * The environment core: resource group, storage account, key vault, Log Analytics with
 * workspace-based Application Insights, container registry, a user-assigned identity, and the Azure
 * ML workspace wired to them. Secure by default (TLS 1.2, HTTPS only, no public blobs, RBAC vault,
 * admin user off); `networkMode: "private"` closes public access everywhere.
 */
export class MlWorkspace extends pulumi.ComponentResource {
  readonly resourceGroupName: pulumi.Output<string>;
  readonly resourceGroupId: pulumi.Output<string>;
  readonly storageAccountId: pulumi.Output<string>;
  readonly storageAccountName: pulumi.Output<string>;
  readonly blobEndpoint: pulumi.Output<string>;
  readonly keyVaultId: pulumi.Output<string>;
  readonly registryId: pulumi.Output<string>;
  readonly registryLoginServer: pulumi.Output<string>;
  readonly logAnalyticsId: pulumi.Output<string>;
  readonly appInsightsId: pulumi.Output<string>;
  readonly identityId: pulumi.Output<string>;
  readonly identityPrincipalId: pulumi.Output<string>;
  readonly workspaceId: pulumi.Output<string>;
  readonly workspaceName: pulumi.Output<string>;
  /** The default blob datastore's container (`azureml-blobstore-<workspace guid>`), made by Azure ML. */
  readonly defaultBlobContainer: pulumi.Output<string>;

  constructor(name: string, args: MlWorkspaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:workspace:MlWorkspace", name, {}, opts);
    const { location, tags, names } = args;
    const isPrivate = args.networkMode === "private";
    const child = { parent: this };

    const group = new resources.ResourceGroup(`${name}-rg`, { resourceGroupName: names.resourceGroup, location, tags }, child);
    const resourceGroupName = group.name;

    // A user-assigned identity outlives workspace re-creation and can be granted access before the
    // workspace exists (Azure requires that for a workspace created with it).
    const identity = new managedidentity.UserAssignedIdentity(
      `${name}-identity`,
      { resourceName: `id-${names.workspace}`, resourceGroupName, location, tags },
      child,
    );

    const vault = new keyvault.Vault(
      `${name}-vault`,
      {
        vaultName: names.keyVault,
        resourceGroupName,
        location,
        properties: {
          tenantId: args.tenantId,
          sku: { family: keyvault.SkuFamily.A, name: keyvault.SkuName.Standard },
          enableRbacAuthorization: true,
          enableSoftDelete: true,
          softDeleteRetentionInDays: args.keyVault.softDeleteRetentionDays,
          // Purge protection cannot be turned off once on, and blocks reusing the name after a destroy:
          // omit it (rather than false) where it is not wanted.
          ...(args.keyVault.purgeProtection ? { enablePurgeProtection: true } : {}),
          publicNetworkAccess: isPrivate ? "Disabled" : "Enabled",
          networkAcls: { defaultAction: isPrivate ? keyvault.NetworkRuleAction.Deny : keyvault.NetworkRuleAction.Allow, bypass: keyvault.NetworkRuleBypassOptions.AzureServices },
        },
        tags,
      },
      child,
    );

    // Customer-managed key: the identity may wrap and unwrap with it before storage and workspace use it.
    const cmk = args.customerManagedKey
      ? new keyvault.Key(
          `${name}-cmk`,
          {
            keyName: "cmk-workspace",
            vaultName: vault.name,
            resourceGroupName,
            // RSA 2048+ is what Azure ML and Storage accept for customer-managed keys.
            properties: { kty: keyvault.JsonWebKeyType.RSA, keySize: 3072, keyOps: [keyvault.JsonWebKeyOperation.WrapKey, keyvault.JsonWebKeyOperation.UnwrapKey] },
            tags,
          },
          child,
        )
      : undefined;
    const cmkGrant = cmk
      ? grantRole(`${name}-ws-cmk`, { scope: vault.id, principalId: identity.principalId, role: "KeyVaultCryptoServiceEncryptionUser", subscriptionId: args.subscriptionId }, child)
      : undefined;

    const account = new storage.StorageAccount(
      `${name}-storage`,
      {
        accountName: names.storageAccount,
        resourceGroupName,
        location,
        kind: storage.Kind.StorageV2,
        sku: { name: storage.SkuName.Standard_ZRS },
        enableHttpsTrafficOnly: true,
        minimumTlsVersion: storage.MinimumTlsVersion.TLS1_2,
        allowBlobPublicAccess: args.optOuts.allowBlobPublicAccess,
        allowSharedKeyAccess: args.allowSharedKeyAccess,
        allowCrossTenantReplication: false,
        isLocalUserEnabled: false,
        isHnsEnabled: false,
        publicNetworkAccess: isPrivate ? storage.PublicNetworkAccess.Disabled : storage.PublicNetworkAccess.Enabled,
        // Azure ML's trusted-service access keeps working with the firewall closed.
        networkRuleSet: { defaultAction: isPrivate ? storage.DefaultAction.Deny : storage.DefaultAction.Allow, bypass: storage.Bypass.AzureServices },
        // With a customer-managed key the account reads it through the workspace identity (a
        // user-assigned identity is the one Storage accepts at creation; Storage is a trusted service
        // of the closed vault). MS Learn, "Customer-managed keys for Azure Storage encryption".
        ...(cmk ? { identity: { type: storage.IdentityType.UserAssigned, userAssignedIdentities: [identity.id] } } : {}),
        encryption: {
          keySource: cmk ? storage.KeySource.Microsoft_Keyvault : storage.KeySource.Microsoft_Storage,
          ...(cmk ? { keyVaultProperties: { keyName: cmk.name, keyVaultUri: vault.properties.vaultUri }, encryptionIdentity: { encryptionUserAssignedIdentity: identity.id } } : {}),
          services: { blob: { enabled: true, keyType: storage.KeyType.Account }, file: { enabled: true, keyType: storage.KeyType.Account } },
        },
        tags,
      },
      // Deleting the account would lose every model and dataset: keep it in Azure even on destroy.
      { ...child, retainOnDelete: opts?.protect === true, ...(cmkGrant ? { dependsOn: [cmkGrant] } : {}) },
    );

    const logs = new operationalinsights.Workspace(
      `${name}-logs`,
      {
        workspaceName: names.logAnalytics,
        resourceGroupName,
        location,
        sku: { name: operationalinsights.WorkspaceSkuNameEnum.PerGB2018 },
        retentionInDays: args.logRetentionDays,
        // Private mode: ingestion and queries only through the environment's Azure Monitor private
        // link scope (policy 6c53d030). Ingestion needs Entra ID (policy e15effd4): every sender is
        // Entra-authenticated here (diagnostic settings, Container insights with useAADAuth, and
        // workspace-based Application Insights, which forwards its own ingestion).
        ...(isPrivate
          ? {
              publicNetworkAccessForIngestion: operationalinsights.PublicNetworkAccessType.Disabled,
              publicNetworkAccessForQuery: operationalinsights.PublicNetworkAccessType.Disabled,
              features: { disableLocalAuth: true },
            }
          : {}),
        tags,
      },
      child,
    );

    const insights = new applicationinsights.Component(
      `${name}-insights`,
      {
        resourceName: names.appInsights,
        resourceGroupName,
        location,
        kind: "web",
        applicationType: applicationinsights.ApplicationType.Web,
        workspaceResourceId: logs.id,
        ingestionMode: applicationinsights.IngestionMode.LogAnalytics,
        // Endpoint deployments send telemetry with the connection string (no Entra auth option), so
        // local (key) ingestion stays on (policy 199d5677 is an exemption, see policy/README.md).
        disableLocalAuth: false,
        // Private mode: the endpoints reach ingestion through the Azure Monitor private link scope
        // from the environment's VNet (policy 1bc02227).
        ...(isPrivate
          ? {
              publicNetworkAccessForIngestion: applicationinsights.PublicNetworkAccessType.Disabled,
              publicNetworkAccessForQuery: applicationinsights.PublicNetworkAccessType.Disabled,
            }
          : {}),
        tags,
      },
      child,
    );

    const premium = args.registrySku === "Premium";
    const registry = new containerregistry.Registry(
      `${name}-registry`,
      {
        registryName: names.containerRegistry,
        resourceGroupName,
        location,
        sku: { name: args.registrySku },
        adminUserEnabled: args.optOuts.registryAdminUserEnabled,
        anonymousPullEnabled: false,
        // Network rules, private link and export policy are Premium-only features.
        publicNetworkAccess: isPrivate && premium ? containerregistry.PublicNetworkAccess.Disabled : containerregistry.PublicNetworkAccess.Enabled,
        networkRuleBypassOptions: containerregistry.NetworkRuleBypassOptions.AzureServices,
        ...(premium
          ? {
              policies: {
                exportPolicy: { status: isPrivate ? containerregistry.ExportPolicyStatus.Disabled : containerregistry.ExportPolicyStatus.Enabled },
                retentionPolicy: { days: 30, status: containerregistry.PolicyStatus.Enabled },
                azureADAuthenticationAsArmPolicy: { status: containerregistry.AzureADAuthenticationAsArmPolicyStatus.Disabled },
              },
            }
          : {}),
        tags,
      },
      child,
    );

    const grants: [string, pulumi.Input<string>, BuiltInRole][] = [
      ["rg-contributor", group.id, "Contributor"],
      ["storage-blob", account.id, "StorageBlobDataContributor"],
      ["storage-file", account.id, "StorageFileDataPrivilegedContributor"],
      ["vault-admin", vault.id, "KeyVaultAdministrator"],
      ["registry-push", registry.id, "AcrPush"],
    ];
    const assignments = grants.map(([key, scope, role]) =>
      grantRole(`${name}-ws-${key}`, { scope, principalId: identity.principalId, role, subscriptionId: args.subscriptionId }, child),
    );

    const workspace = new ml.Workspace(
      `${name}-workspace`,
      {
        workspaceName: names.workspace,
        resourceGroupName,
        location,
        kind: "Default",
        sku: { name: "Basic", tier: "Basic" },
        friendlyName: args.friendlyName,
        description: args.description,
        identity: { type: ml.ManagedServiceIdentityType.UserAssigned, userAssignedIdentities: [identity.id] },
        primaryUserAssignedIdentity: identity.id,
        storageAccount: account.id,
        keyVault: vault.id,
        applicationInsights: insights.id,
        containerRegistry: registry.id,
        hbiWorkspace: args.highBusinessImpact,
        publicNetworkAccess: args.optOuts.workspacePublicNetworkAccess ?? (isPrivate ? ml.PublicNetworkAccessType.Disabled : ml.PublicNetworkAccessType.Enabled),
        allowPublicAccessWhenBehindVnet: false,
        // Clusters live in the workspace's managed VNet in every mode, which is what lets their nodes
        // run without public IPs; private mode also restricts outbound traffic to approved rules.
        managedNetwork: {
          isolationMode: isPrivate ? ml.IsolationMode.AllowOnlyApprovedOutbound : ml.IsolationMode.AllowInternetOutbound,
        },
        ...(args.imageBuildCompute ? { imageBuildCompute: args.imageBuildCompute } : {}),
        // Datastores authenticate with identities, so storage shared keys can stay off.
        systemDatastoresAuthMode: "identity",
        v1LegacyMode: false,
        ...(cmk
          ? {
              encryption: {
                status: ml.EncryptionStatus.Enabled,
                keyVaultProperties: { keyVaultArmId: vault.id, keyIdentifier: cmk.keyUriWithVersion },
                identity: { userAssignedIdentity: identity.id },
              },
            }
          : {}),
        tags,
      },
      { parent: this, dependsOn: cmkGrant ? [...assignments, cmkGrant] : assignments },
    );

    const destinations = args.diagnosticSettings?.map((d) => ({ ...d, workspaceResourceId: d.workspaceResourceId ?? logs.id }));
    attachDiagnosticSettings(`${name}-workspace`, "mlWorkspace", workspace.id, destinations, child);
    attachDiagnosticSettings(`${name}-vault`, "keyVault", vault.id, destinations, child);
    attachDiagnosticSettings(`${name}-registry`, "containerRegistry", registry.id, destinations, child);
    // Storage resource logs are emitted per service, not by the account.
    attachDiagnosticSettings(`${name}-storage-blob`, "storageService", pulumi.interpolate`${account.id}/blobServices/default`, destinations, child);
    attachDiagnosticSettings(`${name}-storage-file`, "storageService", pulumi.interpolate`${account.id}/fileServices/default`, destinations, child);

    this.resourceGroupName = group.name;
    this.resourceGroupId = group.id;
    this.storageAccountId = account.id;
    this.storageAccountName = account.name;
    this.blobEndpoint = account.primaryEndpoints.blob;
    this.keyVaultId = vault.id;
    this.registryId = registry.id;
    this.registryLoginServer = registry.loginServer;
    this.logAnalyticsId = logs.id;
    this.appInsightsId = insights.id;
    this.identityId = identity.id;
    this.identityPrincipalId = identity.principalId;
    this.workspaceId = workspace.id;
    this.workspaceName = workspace.name;
    this.defaultBlobContainer = workspace.workspaceId.apply((guid) => `azureml-blobstore-${guid}`);
    this.registerOutputs({
      resourceGroupName: this.resourceGroupName,
      storageAccountName: this.storageAccountName,
      blobEndpoint: this.blobEndpoint,
      keyVaultId: this.keyVaultId,
      registryId: this.registryId,
      workspaceId: this.workspaceId,
      workspaceName: this.workspaceName,
    });
  }
}
