import type { PipelineDefinition } from "../spec/types";
import { scoring } from "./scoring";
import { training } from "./training";

/** Every pipeline the project can publish, keyed by definition name (= file name). */
export const pipelineDefinitions: Record<string, PipelineDefinition> = { training, scoring };
