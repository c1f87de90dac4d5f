import type { Environment, Level } from "./types";

/** P1, not about network exposure: deny in every environment. */
export const EVERYWHERE: Record<Environment, Level> = { dev: "mandatory", qa: "mandatory", prod: "mandatory" };
/** P1 network exposure: dev deliberately runs in public network mode, so it is only advised there. */
export const PRIVATE_NETWORK: Record<Environment, Level> = { dev: "advisory", qa: "mandatory", prod: "mandatory" };
/** Stateful safety that blocks a quick destroy-and-recreate (purge protection): dev is only advised. */
export const OUTSIDE_DEV: Record<Environment, Level> = { dev: "advisory", qa: "mandatory", prod: "mandatory" };
/**
 * P2: qa and prod both meet these, so both deny a regression; dev is only advised. (Until issue 18
 * they were advice in qa, which let a regression there pass silently.)
 */
export const PROD_DENY: Record<Environment, Level> = { dev: "advisory", qa: "mandatory", prod: "mandatory" };
/** A model qa deliberately does not follow (qa keeps a public API server behind authorized ranges). */
export const PROD_ONLY_DENY: Record<Environment, Level> = { dev: "advisory", qa: "advisory", prod: "mandatory" };
/** Paid hardening prod has bought (Standard tier, Defender): prod denies a regression, others skip it. */
export const PROD_PAID: Record<Environment, Level> = { dev: "disabled", qa: "disabled", prod: "mandatory" };
/** P3 (adds cost): only prod is told about it, and only as advice until the project buys it. */
export const PROD_ADVICE: Record<Environment, Level> = { dev: "disabled", qa: "disabled", prod: "advisory" };
/** Prod safety with no cost (deletion protection): dev and qa are disposable. */
export const PROD_ONLY: Record<Environment, Level> = { dev: "disabled", qa: "disabled", prod: "mandatory" };
/** Advice everywhere: a preview feature or a trade-off the project has not settled. */
export const ADVICE: Record<Environment, Level> = { dev: "advisory", qa: "advisory", prod: "advisory" };
/**
 * Create-time-only hardening qa rehearses for prod (customer-managed keys): qa and prod deny a
 * regression, dev (Microsoft-managed keys) is not told.
 */
export const QA_AND_PROD: Record<Environment, Level> = { dev: "disabled", qa: "mandatory", prod: "mandatory" };
