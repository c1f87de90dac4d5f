export { CiIdentity, AKS_ADMIN_PATH_ACTIONS, CONTRIBUTOR_NOT_ACTIONS, federatedSubjects, constrainedDelegationCondition, GITHUB_ISSUER, TOKEN_EXCHANGE_AUDIENCE } from "./ciIdentity";
export type { CiIdentityArgs, FederatedSubject, GithubFederation, AzureDevOpsFederation } from "./ciIdentity";
export { DataScientistsGroup } from "./dataScientists";
export type { DataScientistsGroupArgs } from "./dataScientists";
