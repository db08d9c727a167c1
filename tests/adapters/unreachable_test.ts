import assert from "node:assert/strict";
import type { Adapter } from "../../adapters/mod.ts";
import { BrokerUnreachableError } from "../../adapters/mod.ts";
import { createKafkaAdapter } from "../../adapters/kafka/mod.ts";
import { createNatsAdapter } from "../../adapters/nats/mod.ts";
import { createRabbitmqAdapter } from "../../adapters/rabbitmq/mod.ts";
import { createSqsAdapter } from "../../adapters/sqs/mod.ts";

/** A loopback port nothing listens on: bound, read, released. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

const port = closedPort();
const CASES: { name: string; adapter: () => Adapter; address: string; setting: string }[] = [
  {
    name: "nats",
    adapter: () => createNatsAdapter({ url: `nats://127.0.0.1:${port}` }, { env: {} }),
    address: `nats://127.0.0.1:${port}`,
    setting: "[adapter] url",
  },
  {
    name: "rabbitmq",
    adapter: () =>
      createRabbitmqAdapter({}, {
        env: { ROHAS_AMQP_URL: `amqp://guest:secret@127.0.0.1:${port}` },
      }),
    address: `amqp://guest:***@127.0.0.1:${port}`,
    setting: "ROHAS_AMQP_URL",
  },
  {
    name: "kafka",
    adapter: () => createKafkaAdapter({ brokers: [`127.0.0.1:${port}`] }, { env: {} }),
    address: `127.0.0.1:${port}`,
    setting: "[adapter] brokers",
  },
  {
    name: "sqs",
    adapter: () => createSqsAdapter({ endpoint: `http://127.0.0.1:${port}` }, { env: {} }),
    address: `http://127.0.0.1:${port}`,
    setting: "[adapter] endpoint",
  },
];

for (const { name, adapter, address, setting } of CASES) {
  Deno.test(`${name} adapter start() names the address and the setting when the broker is unreachable`, async () => {
    const unreachable = adapter();
    try {
      const error = await unreachable.start().then(() => null, (error: unknown) => error);
      assert.ok(
        error instanceof BrokerUnreachableError,
        `expected BrokerUnreachableError, got ${error}`,
      );
      assert.equal(error.address, address);
      assert.match(error.message, new RegExp(`^Cannot reach the ${name} broker at "`));
      assert.ok(error.message.includes(`(set by ${setting})`), error.message);
      assert.ok(!error.message.includes("secret"), "the password is not shown");
    } finally {
      await unreachable.close();
    }
  });
}
