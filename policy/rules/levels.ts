import type { Environment, Level } from "./types";

/** P1, not about network exposure: deny in every environment. */
export const EVERYWHERE: Record<Environment, Level> = { dev: "mandatory", qa: "mandatory", prod: "mandatory" };
/** P1 network exposure: dev deliberately runs in public network mode, so it is only advised there. */
export const PRIVATE_NETWORK: Record<Environment, Level> = { dev: "advisory", qa: "mandatory", prod: "mandatory" };
/** Stateful safety that blocks a quick destroy-and-recreate (purge protection): dev is only advised. */
export const OUTSIDE_DEV: Record<Environment, Level> = { dev: "advisory", qa: "mandatory", prod: "mandatory" };
/** P2: deny in prod, advise elsewhere. */
export const PROD_DENY: Record<Environment, Level> = { dev: "advisory", qa: "advisory", prod: "mandatory" };
/** P3 (adds cost): only prod is told about it, and only as advice until the project buys it. */
export const PROD_ADVICE: Record<Environment, Level> = { dev: "disabled", qa: "disabled", prod: "advisory" };
/** Prod safety with no cost (deletion protection): dev and qa are disposable. */
export const PROD_ONLY: Record<Environment, Level> = { dev: "disabled", qa: "disabled", prod: "mandatory" };
/** Advice everywhere: a preview feature or a trade-off the project has not settled. */
export const ADVICE: Record<Environment, Level> = { dev: "advisory", qa: "advisory", prod: "advisory" };
