// `rohas start` on each durable adapter works exactly as on the memory adapter: the bundled example
// with its [adapter] switched to a real broker (scripts/brokers/start.sh) or embedded store, driven
// over HTTP, delivers every event once per handler, including an event's own forwarded trigger.
import assert from "node:assert/strict";
import { brokerUrl } from "../adapters/_brokers.ts";
import { createUser, eventually, startServer, stats } from "./_server.ts";

const ADAPTERS: Record<string, () => string> = {
  rocksdb: () => `type = "rocksdb"`,
  denokv: () => `type = "denokv"`,
  nats: () => `type = "nats"\nurl = "${brokerUrl("nats")}"`,
  rabbitmq: () => `type = "rabbitmq"\nurl = "${brokerUrl("rabbitmq")}"`,
  kafka: () => `type = "kafka"\nbrokers = "${brokerUrl("kafka")}"`,
  sqs: () => `type = "sqs"\nendpoint = "${brokerUrl("sqs")}"\nwait_time_s = 1`,
};

/** Rewrites the copied example's config: a project name of its own and the adapter's table. */
async function useAdapter(dir: string, adapter: string): Promise<void> {
  const file = `${dir}/config/rohas.toml`;
  const text = await Deno.readTextFile(file);
  const service = `hello-e2e-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.writeTextFile(
    file,
    text
      .replace('name = "hello-ts"', `name = "${service}"`)
      .replace('[adapter]\ntype = "memory"', `[adapter]\n${adapter}`),
  );
}

for (const [name, adapter] of Object.entries(ADAPTERS)) {
  Deno.test(`rohas start on the ${name} adapter delivers an API's events once per handler`, async () => {
    await using server = await startServer({
      command: "start",
      prepare: (dir) => useAdapter(dir, adapter()),
    });
    await server.waitFor(new RegExp(`adapter ${name}\\b`));
    const id = await createUser(server);
    const expected = {
      [`send_welcome_email:${id}`]: 1,
      [`audit_user:${id}`]: 1,
      [`count_audit:${id}`]: 1,
      [`count_onboarded:${id}`]: 1,
    };
    const seen = await eventually(
      async () => {
        const s = await stats(server.url);
        return Object.entries(expected).every(([k, v]) => (s[k] ?? 0) >= v) ? s : undefined;
      },
      `the events of user ${id} on ${name}`,
      30_000,
    );
    for (const key of Object.keys(expected)) assert.equal(seen[key], 1, key);
  });
}
