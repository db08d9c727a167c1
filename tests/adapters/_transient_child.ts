/**
 * The process a transient-group crash test kills (_transient_crash.ts): it subscribes one transient
 * group, prints `ready`, and waits to be killed with SIGKILL.
 *
 * Usage: `deno run -A _transient_child.ts <settings JSON> <topic> <group>`, the settings JSON being
 * `{ type, settings, service }` as `transientAdapter` takes them.
 *
 * @module
 */

import { transientAdapter, type TransientAdapterSpec } from "./_transient_crash.ts";

const [spec = "{}", topic = "", group = ""] = Deno.args;
const adapter = transientAdapter(JSON.parse(spec) as TransientAdapterSpec);
await adapter.start();
await adapter.subscribe(topic, group, (delivery) => delivery.ack(), { transient: true });
await Deno.stdout.write(new TextEncoder().encode("ready\n"));
// Held open by the adapter's connection until the test kills this process.
