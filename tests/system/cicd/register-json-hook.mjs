import { register } from "node:module";

register("./json-import-hook.mjs", import.meta.url);
