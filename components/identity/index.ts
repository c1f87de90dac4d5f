export { CiIdentity, AKS_ADMIN_PATH_ACTIONS, CONTRIBUTOR_NOT_ACTIONS, azureDevOpsSubject, federatedSubjects, constrainedDelegationCondition, GITHUB_ISSUER, TOKEN_EXCHANGE_AUDIENCE } from "./ciIdentity";
export type { CiIdentityArgs, FederatedSubject, GithubFederation, AzureDevOpsFederation, AzureDevOpsIssuer } from "./ciIdentity";
export { AuditIdentity, GRAPH_READ_ROLES, MICROSOFT_GRAPH_APP_ID } from "./auditIdentity";
export type { AuditIdentityArgs } from "./auditIdentity";
export { SecretsKey } from "./secretsKey";
export type { SecretsKeyArgs } from "./secretsKey";
export { DataScientistsGroup } from "./dataScientists";
export type { DataScientistsGroupArgs } from "./dataScientists";
