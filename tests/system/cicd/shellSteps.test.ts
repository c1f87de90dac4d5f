import { allScripts, azureScripts, githubScripts, scriptProblems, shellcheck, shellcheckAvailable, ShellScript } from "./shellSteps";

const scripts = allScripts();

describe("CI scripts fail loudly", () => {
  it("finds the scripts of both platforms, including those passed into the pulumi-step template", () => {
    expect(githubScripts().length).toBeGreaterThan(10);
    expect(azureScripts().length).toBeGreaterThan(10);
    expect(azureScripts().some((s) => s.preamble === "set -euo pipefail" && s.text.includes("pulumi up --yes"))).toBe(true);
  });

  it.each(scripts.map((s) => [s.where, s] as const))("%s: errexit+pipefail, no masked exit code, no template expression in the shell", (_where, s) => {
    expect(scriptProblems(s)).toEqual([]);
  });

  it("catches each rule on scripts that break it (control)", () => {
    const az = (text: string): ShellScript => ({ where: "x", platform: "azure", text, preamble: "" });
    const gh = (text: string, preamble = "set -eo pipefail"): ShellScript => ({ where: "x", platform: "github", text, preamble });
    expect(scriptProblems(az("npm ci"))).toEqual([expect.stringMatching(/without errexit and pipefail/)]);
    expect(scriptProblems(gh("npm ci", "set -e"))).toEqual([expect.stringMatching(/without errexit and pipefail/)]);
    expect(scriptProblems(az('set -euo pipefail\nexport ID="$(az account show)"'))).toEqual([expect.stringMatching(/SC2155/)]);
    expect(scriptProblems(gh('npm run plan -- "${{ inputs.stack }}"'))).toEqual([expect.stringMatching(/template expression/)]);
    expect(scriptProblems(az('set -euo pipefail\ncd "$(Agent.TempDirectory)"'))).toEqual([expect.stringMatching(/macro/)]);
    expect(scriptProblems(az("set -euo pipefail\nnpm ci"))).toEqual([]);
  });

  // shellcheck is not on npm as a binary (the `shellcheck` package downloads it at run time) and CI
  // has only Node: where it is installed (e.g. apt install shellcheck) it reads every script too.
  if (shellcheckAvailable()) {
    it.each(scripts.map((s) => [s.where, s] as const))("%s is shellcheck clean", (_where, s) => {
      expect(shellcheck(s)).toEqual([]);
    });
    it("shellcheck sees a masked exit code (control)", () => {
      expect(shellcheck({ where: "x", platform: "azure", text: 'export ID="$(az account show)"', preamble: "set -euo pipefail" }).join("\n")).toMatch(/SC2155/);
    });
  } else {
    it("shellcheck is not installed: only the rules above checked the scripts", () => {
      expect(shellcheckAvailable()).toBe(false);
    });
  }
});
