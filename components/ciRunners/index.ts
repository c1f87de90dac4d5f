export { CiRunners, RUNNER_DELEGATION, GITHUB_NETWORK_SETTINGS_API_VERSION } from "./ciRunners";
export type { CiRunnersArgs, GithubHostedRunners, ManagedDevOpsPoolRunners } from "./ciRunners";
