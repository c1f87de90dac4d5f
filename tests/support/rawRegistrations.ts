/**
 * Pulumi mocks that keep each registration's raw inputs, secrets still wrapped in Pulumi's secret
 * signature (the plan recorder in `declarations.ts` renders them as "[secret]"): for tests that check
 * what a secret input carries and that it stays a secret.
 */
import * as pulumi from "@pulumi/pulumi";

export interface RawRegistration {
  type: string;
  inputs: any;
}

/** Installs the mocks; the returned list fills as resources register. */
export async function captureRawRegistrations(stack = "qa"): Promise<RawRegistration[]> {
  const registered: RawRegistration[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (a) => {
        registered.push({ type: a.type, inputs: a.inputs });
        return { id: `${a.name}-id`, state: a.inputs };
      },
      call: () => ({}),
    },
    "mlops",
    stack,
    false,
  );
  return registered;
}
