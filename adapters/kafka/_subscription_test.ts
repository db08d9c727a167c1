import assert from "node:assert/strict";
import kafkajs from "kafkajs";
import { whileTransient } from "./_subscription.ts";

// Spread into the CommonJS exports, so not found as a named export by the ESM import.
const { KafkaJSProtocolError } = kafkajs;

/** The error kafkajs gives while a group coordinator loads its offsets (code 14, retriable). */
function loading(): Error {
  // kafkajs builds it from its error-code table entry; its types only admit an Error or a string.
  const entry = {
    type: "GROUP_LOAD_IN_PROGRESS",
    code: 14,
    retriable: true,
    message: "The coordinator is loading and hence can't process requests for this group",
  };
  return new KafkaJSProtocolError(entry as unknown as Error);
}

Deno.test("whileTransient() retries an offset fetch while the coordinator is loading", async () => {
  let calls = 0;
  const result = await whileTransient(() => {
    calls++;
    return calls < 3 ? Promise.reject(loading()) : Promise.resolve("offsets");
  }, { initialMs: 1 });
  assert.equal(result, "offsets");
  assert.equal(calls, 3);
});

Deno.test("whileTransient() fails at once on an error that is not retriable", async () => {
  let calls = 0;
  await assert.rejects(
    whileTransient(() => {
      calls++;
      return Promise.reject(new Error("Not authorized"));
    }, { initialMs: 1 }),
    /Not authorized/,
  );
  assert.equal(calls, 1);
});

Deno.test("whileTransient() gives up with the last error at its deadline", async () => {
  await assert.rejects(
    whileTransient(() => Promise.reject(loading()), { deadlineMs: 30, initialMs: 5 }),
    (error) =>
      error instanceof KafkaJSProtocolError && /coordinator is loading/.test(error.message),
  );
});
