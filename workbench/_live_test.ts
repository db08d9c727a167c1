import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { createRecorder } from "../telemetry/mod.ts";
import { createMemoryStore } from "../telemetry/mod.ts";
import { eventStream, pollTraces } from "./_live.ts";

Deno.test("pollTraces() returns a trace that started in the same millisecond as since", async () => {
  const clock = Date.parse("2026-01-01T00:00:00Z");
  const telemetry = createRecorder(createMemoryStore(), { now: () => clock });
  try {
    const first = telemetry.startTrace({ entryPoint: "First", entryType: "api" });
    first.end("success");
    await telemetry.flush();
    const poll = pollTraces(telemetry, { since: first.id, timeoutS: 5 });
    telemetry.startTrace({ entryPoint: "Second", entryType: "api" }).end("success");
    assertEquals((await poll).map((t) => t.entry_point), ["Second"]);
  } finally {
    await telemetry.close();
  }
});

Deno.test("pollTraces() answers [] at the timeout when nothing new arrives", async () => {
  const telemetry = createRecorder(createMemoryStore());
  try {
    const first = telemetry.startTrace({ entryPoint: "First", entryType: "api" });
    first.end("success");
    assertEquals(await pollTraces(telemetry, { since: first.id, timeoutS: 0 }), []);
  } finally {
    await telemetry.close();
  }
});

Deno.test("eventStream() says connected only once every process streams its events", async () => {
  const telemetry = createRecorder(createMemoryStore());
  const edges = Promise.withResolvers<void>();
  let watched = false;
  const reader = {
    subscribe: telemetry.subscribe.bind(telemetry),
    watching: () => edges.promise.then(() => void (watched = true)),
  };
  const response = eventStream(reader, { heartbeatMs: 60_000 });
  const body = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const first = body.read();
  // An event recorded while the edges are being told to stream is sent, after which connected.
  telemetry.startTrace({ id: "early", entryPoint: "Early", entryType: "api" });
  edges.resolve();
  let text = "";
  text += (await first).value ?? "";
  while (!text.includes(": connected")) text += (await body.read()).value ?? "";
  assertEquals(watched, true);
  assertEquals(text.indexOf('"id":"early"') < text.indexOf(": connected"), true);
  await body.cancel();
  await telemetry.close();
});
