import assert from "node:assert/strict";
import { WorkerSequences } from "./_worker_sequences.ts";

interface Message {
  id: number;
  /** An asynchronous call settles when the test resolves it; without one, it answers at once. */
  gate?: PromiseWithResolvers<void>;
}

function recording(): { sequences: WorkerSequences<Message, string>; log: string[] } {
  const log: string[] = [];
  const sequences = new WorkerSequences<Message, string>({
    run(message) {
      log.push(`start ${message.id}`);
      if (message.gate === undefined) return `ran ${message.id}`;
      return message.gate.promise.then(() => `ran ${message.id}`);
    },
    abandon: (message, sequence) => `abandoned ${message.id} of ${sequence}`,
    answer: (_message, result) => void log.push(result),
  });
  return { sequences, log };
}

/** Lets the promise callbacks queued so far run. */
function settled(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

Deno.test("synchronous calls of a sequence run back to back in the turn they were added", () => {
  const { sequences, log } = recording();
  for (const id of [1, 2, 3]) sequences.add("s", { id });
  assert.deepEqual(log, ["start 1", "ran 1", "start 2", "ran 2", "start 3", "ran 3"]);
});

Deno.test("a call of a sequence starts only once the asynchronous call before it settled", async () => {
  const { sequences, log } = recording();
  const gate = Promise.withResolvers<void>();
  sequences.add("s", { id: 1, gate });
  sequences.add("s", { id: 2 });
  sequences.add("other", { id: 3 });
  await settled();
  assert.deepEqual(log, ["start 1", "start 3", "ran 3"]);
  gate.resolve();
  await settled();
  assert.deepEqual(log.slice(3), ["ran 1", "start 2", "ran 2"]);
});

Deno.test("ending a sequence answers its waiting calls unrun, in order, and later calls run", async () => {
  const { sequences, log } = recording();
  const gate = Promise.withResolvers<void>();
  sequences.add("s", { id: 1, gate });
  sequences.add("s", { id: 2 });
  sequences.add("s", { id: 3 });
  sequences.end("s");
  sequences.add("s", { id: 4 });
  gate.resolve();
  await settled();
  assert.deepEqual(log, [
    "start 1",
    "ran 1",
    "abandoned 2 of s",
    "abandoned 3 of s",
    "start 4",
    "ran 4",
  ]);
});
