/**
 * One instance of a timer store in its own process, for `two_process_test.ts`: opens the Deno KV
 * file given as the first argument under the instance id given second, runs the due loop, and
 * prints `ready`, then `fired <id> <attempt>` for each timer it fires. The first firing of a timer
 * whose value is `{ hang: true }` never finishes (it prints `claimed <id> 1` instead), so the test
 * can kill the process in the middle of a firing.
 *
 * @module
 */

import { kvOver, openDenoKvBackend } from "../../../state/mod.ts";
import { openTimerStore, startDueLoop } from "../mod.ts";

const encoder = new TextEncoder();
const [path, instanceId] = Deno.args;

function say(line: string): void {
  Deno.stdout.writeSync(encoder.encode(`${line}\n`));
}

const kv = kvOver(await openDenoKvBackend({ path: path! }));
const timers = openTimerStore(kv, { name: "t", instanceId: instanceId! });
const loop = startDueLoop(timers, {
  leaseMs: 2_000,
  onDue: (timer) => {
    const value = timer.value as { hang?: boolean };
    if (value.hang && timer.attempt === 1) {
      say(`claimed ${timer.id} ${timer.attempt}`);
      return new Promise(() => {});
    }
    say(`fired ${timer.id} ${timer.attempt}`);
    return Promise.resolve();
  },
  onError: (error) => Deno.stderr.writeSync(encoder.encode(`${String(error)}\n`)),
});
Deno.addSignalListener("SIGTERM", async () => {
  await loop.stop();
  await kv.close();
  Deno.exit(0);
});
say("ready");
