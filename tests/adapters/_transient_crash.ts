/**
 * The crash case of transient groups (adapters/adapter.ts `SubscribeOptions.transient`), registered
 * by each broker's test file: a child process subscribes a transient group and is killed with
 * SIGKILL, so it never closes; the broker must remove the group within the adapter's documented
 * bound, here made short through `transient_expiry_ms`. This process holds a transient group of
 * the same topic meanwhile (on SQS its heartbeat sweeps the stale queues of the topic).
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Adapter } from "../../adapters/mod.ts";
import { createNatsAdapter } from "../../adapters/nats/mod.ts";
import { createRabbitmqAdapter } from "../../adapters/rabbitmq/mod.ts";
import { createSqsAdapter } from "../../adapters/sqs/mod.ts";
import type { GroupExists } from "./_groups.ts";

const CHILD = new URL("./_transient_child.ts", import.meta.url).pathname;

/** How the parent and the child create their adapters. */
export interface TransientAdapterSpec {
  type: "rabbitmq" | "nats" | "sqs";
  settings: Record<string, unknown>;
  service: string;
}

/** Creates the adapter of a spec, not yet started. */
export function transientAdapter(spec: TransientAdapterSpec): Adapter {
  const options = { service: spec.service, env: {} };
  switch (spec.type) {
    case "rabbitmq":
      return createRabbitmqAdapter(spec.settings, options);
    case "nats":
      return createNatsAdapter(spec.settings, options);
    case "sqs":
      return createSqsAdapter(spec.settings, options);
    default:
      return spec.type satisfies never;
  }
}

/** What a broker's crash case needs. */
export interface TransientCrashOptions {
  spec: TransientAdapterSpec;
  groupExists: GroupExists;
  /** The group must be gone this long after the kill, in milliseconds. */
  boundMs: number;
}

/** Registers the crash case of one broker adapter. */
export function transientCrashTest(options: TransientCrashOptions): void {
  const { spec, groupExists, boundMs } = options;
  Deno.test(`the ${spec.type} broker removes the transient group of a process killed with SIGKILL within ${boundMs} ms`, async () => {
    const topic = `TransientCrash_${crypto.randomUUID().slice(0, 8)}`;
    const group = "crash.__sockets.killed";
    const witness = transientAdapter(spec);
    await witness.start();
    try {
      await witness.subscribe(topic, "crash.__sockets.alive", (d) => d.ack(), { transient: true });
      await runAndKill([JSON.stringify(spec), topic, group], async () => {
        assert.ok(await groupExists(topic, group), "the child's group exists before the kill");
      });
      // Killed: nothing was closed, the connection just dropped.
      const killedAt = performance.now();
      while (await groupExists(topic, group)) {
        const waited = performance.now() - killedAt;
        assert.ok(waited < boundMs, `the killed process's group still exists after ${waited} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const gone = Math.round(performance.now() - killedAt);
      // deno-lint-ignore no-console -- how long the broker took is part of the test's report
      console.log(`${spec.type}: the killed process's transient group was gone after ${gone} ms`);
      assert.ok(await groupExists(topic, "crash.__sockets.alive"), "the live group stays");
    } finally {
      await witness.close();
    }
  });
}

/** Runs the child until it holds its group, runs `beforeKill`, then kills it. */
async function runAndKill(args: string[], beforeKill: () => Promise<void>): Promise<void> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CHILD, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const { value } = await reader.read();
    await reader.cancel();
    if (value?.trim() !== "ready") throw new Error(`The child did not subscribe: ${await stderr}`);
    await beforeKill();
  } finally {
    child.kill("SIGKILL");
    await child.status;
    await stderr;
  }
}
