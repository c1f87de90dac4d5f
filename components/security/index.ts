export * from "./defenderPlans";
