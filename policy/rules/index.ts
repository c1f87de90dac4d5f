import { aksRules } from "./aks";
import { computeRules } from "./compute";
import { governanceRules } from "./governance";
import { identityRules } from "./identity";
import { isolationRules } from "./isolation";
import { keyVaultRules } from "./keyVault";
import { monitoringRules } from "./monitoring";
import { networkRules } from "./network";
import { registryRules } from "./registry";
import { securityRules } from "./security";
import { servingRules } from "./serving";
import { storageRules } from "./storage";
import type { Rule, WaiverRule } from "./types";
import { allWaiverRules } from "./waivers";
import { workspaceRules } from "./workspace";

/** Every rule in the pack, grouped by resource family (the README table follows this order). */
export const allRules: readonly Rule[] = [
  ...workspaceRules,
  ...computeRules,
  ...storageRules,
  ...keyVaultRules,
  ...registryRules,
  ...aksRules,
  ...servingRules,
  ...monitoringRules,
  ...identityRules,
  ...networkRules,
  ...securityRules,
  ...isolationRules,
  ...governanceRules,
];

/** Every recorded exception, each with its reason. */
export const allWaivers: readonly WaiverRule[] = allWaiverRules;

export type { Environment, Level, Rule, ResourceRule, StackRule, WaiverRule, ResourceView, StackContext } from "./types";
