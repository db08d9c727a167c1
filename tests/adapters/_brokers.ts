/**
 * Where the adapter tests find their brokers (scripts/brokers/urls.ts) and how they restart one
 * mid-test.
 *
 * @module
 */

export { brokerUrl } from "../../scripts/brokers/urls.ts";

/** The scripts that started the brokers (set by scripts/brokers/env.sh), else this checkout's. */
function scriptsDir(): string {
  return Deno.env.get("ROHAS_TEST_BROKER_SCRIPTS") ??
    new URL("../../scripts/brokers", import.meta.url).pathname;
}

/** Stops and starts one test broker with the scripts that started it, waiting until it is ready. */
export async function restartBroker(name: string): Promise<void> {
  for (const script of ["stop.sh", "start.sh"]) {
    const output = await new Deno.Command("bash", {
      args: [`${scriptsDir()}/${script}`, name],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) {
      const text = new TextDecoder().decode(output.stderr);
      throw new Error(`scripts/brokers/${script} ${name} failed: ${text}`);
    }
  }
}
