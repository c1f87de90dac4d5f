/** Entry point for `pulumi preview --policy-pack policy` (install with `cd policy && npm install`). */
import * as pulumi from "@pulumi/pulumi";
import { PolicyPack } from "@pulumi/policy";
import { buildPolicies, environmentForPack } from "./pack";

// Policy packs can read the stack they run for; its name gives the environment and so the levels.
const environment = environmentForPack(() => pulumi.getStack());

new PolicyPack("mlops", { policies: buildPolicies(environment) });
