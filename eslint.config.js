// typescript-eslint's recommended rules (not type-aware: they need no type information, so linting
// stays fast) over every TypeScript file of the project. `npm run lint` also runs pyright over the
// Python step code (pyrightconfig.json).
const js = require("@eslint/js");
const tseslint = require("typescript-eslint");

module.exports = tseslint.config(
  { ignores: ["node_modules/**", "bin/**", "out/**", ".plan/**", "bench/.work/**", "tests/.tmp/**", "**/*.js", "**/*.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      // `_`-prefixed names mark deliberately unused bindings (destructuring a key away, fixed signatures).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      // Dynamic providers load Azure SDKs with require() inside their methods: module-level imports
      // break closure serialization (docs/architecture.md, "Dynamic providers"), and commands load other checkouts' modules.
      "@typescript-eslint/no-require-imports": "off",
      // REST bodies and SDK shapes are untyped JSON at the edges; `npm run typecheck` (strict) is the type gate.
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
  {
    // Tests spell expected console columns literally.
    files: ["tests/**/*.ts"],
    rules: { "no-regex-spaces": "off" },
  },
  {
    // Branch names are hostile input: this tool must match control characters to refuse them.
    files: ["tools/branch-stack/cli.ts"],
    rules: { "no-control-regex": "off" },
  },
);
