/**
 * Where the adapter tests find their brokers (scripts/brokers/urls.ts) and how they restart one
 * mid-test.
 *
 * @module
 */

export { brokerUrl } from "../../scripts/brokers/urls.ts";

const SCRIPTS = new URL("../../scripts/brokers/", import.meta.url);

/** Stops and starts one test broker with the project's scripts, waiting until it is ready. */
export async function restartBroker(name: string): Promise<void> {
  for (const script of ["stop.sh", "start.sh"]) {
    const output = await new Deno.Command("bash", {
      args: [new URL(script, SCRIPTS).pathname, name],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) {
      const text = new TextDecoder().decode(output.stderr);
      throw new Error(`scripts/brokers/${script} ${name} failed: ${text}`);
    }
  }
}
