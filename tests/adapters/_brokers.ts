/**
 * Where the adapter tests find their brokers (scripts/brokers/env.sh exports the same defaults) and
 * how they restart one mid-test.
 *
 * @module
 */

/** The URL of a test broker: the `ROHAS_TEST_*` variable, or the port start.sh uses. */
export function brokerUrl(name: "nats" | "rabbitmq" | "kafka" | "sqs" | "moto"): string {
  switch (name) {
    case "nats":
      return Deno.env.get("ROHAS_TEST_NATS_URL") ?? "nats://127.0.0.1:14222";
    case "rabbitmq":
      return Deno.env.get("ROHAS_TEST_AMQP_URL") ?? "amqp://guest:guest@127.0.0.1:5673";
    case "kafka":
      return Deno.env.get("ROHAS_TEST_KAFKA_BROKERS") ?? "127.0.0.1:19092";
    case "sqs":
      return Deno.env.get("ROHAS_TEST_SQS_ENDPOINT") ?? "http://127.0.0.1:19324";
    case "moto":
      return Deno.env.get("ROHAS_TEST_AWS_ENDPOINT") ?? "http://127.0.0.1:19400";
  }
}

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
