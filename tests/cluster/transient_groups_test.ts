/**
 * The WebSocket fan-out's consumer group does not outlive its instance: a `rohas start` instance
 * with the default id (`<hostname>-<pid>`, a new group at every start) is stopped, started again
 * and then killed with SIGKILL, and the broker itself (tests/adapters/_groups.ts) no longer holds
 * the group of any process that is gone, while it holds the running one's.
 *
 * @module
 */

import assert from "node:assert/strict";
import { SOCKETS_TOPIC } from "../../engine/mod.ts";
import { type GroupExists, natsGroupExists, rabbitmqGroupExists } from "../adapters/_groups.ts";
import { type Instance, startCluster } from "./_instances.ts";
import { SOCKETS_FIXTURE } from "./_sockets.ts";

const CASES = [
  { broker: "rabbitmq", probe: rabbitmqGroupExists, lines: "" },
  // The server deletes a killed instance's consumer after `transient_expiry_ms` without pulls.
  { broker: "nats", probe: natsGroupExists, lines: "transient_expiry_ms = 1000" },
] as const;

for (const { broker, probe, lines } of CASES) {
  Deno.test({
    name: `an instance restarted with the default id on ${broker} leaves no fan-out group behind`,
    // The instance's broker client keeps timers and sockets until the process ends.
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      await using cluster = await startCluster({
        adapter: broker,
        from: SOCKETS_FIXTURE,
        instances: 1,
        adapterLines: lines,
        // Unset: the instance runs under `<hostname>-<pid>`.
        env: { ROHAS_INSTANCE_ID: "" },
      });
      const [instance] = cluster.instances as [Instance];
      const exists: GroupExists = probe(cluster.name);
      const groupOf = () => `${cluster.name}.__sockets.${Deno.hostname()}-${pidOf(instance)}`;
      const first = groupOf();
      assert.ok(await exists(SOCKETS_TOPIC, first), `the broker holds ${first}`);
      assert.equal((await instance.stop()).code, 0, instance.output());
      await until(async () => !(await exists(SOCKETS_TOPIC, first)), `${first} removed at stop`);
      await instance.start();
      const second = groupOf();
      assert.notEqual(second, first);
      assert.ok(await exists(SOCKETS_TOPIC, second), `the broker holds ${second}`);
      await instance.kill();
      await until(async () => !(await exists(SOCKETS_TOPIC, second)), `${second} removed`);
    },
  });
}

function pidOf(instance: Instance): number {
  const process = instance.process();
  if (process === null) throw new Error(`Instance ${instance.id} is not running`);
  return process.pid;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after 10 s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
