import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import * as api from "@opentelemetry/api";
import type { Tracer } from "@opentelemetry/api";
import { OtelBridge } from "../../telemetry/mod.ts";
import { attribute, otlpReceiver } from "./_otlp_receiver.ts";

Deno.test("traces reach an OTLP/HTTP receiver as a span tree when OTEL_DENO=true, across processes through the traceparent", async () => {
  await using receiver = otlpReceiver();
  const script = fromFileUrl(new URL("./fixtures/otel_emit.ts", import.meta.url));
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script],
    env: receiver.env,
    stdout: "piped",
    stderr: "piped",
  });
  const output = await child.output();
  assert(output.success, new TextDecoder().decode(output.stderr));
  await receiver.received("UserCreated", "OrderShipped");
  const spans = receiver.spans;
  const root = spans.find((s) =>
    s.name === "CreateUser" && attribute(s, "rohas.entry_type") === "api"
  );
  const step = spans.find((s) =>
    s.name === "CreateUser" && attribute(s, "rohas.handler") === "CreateUser"
  );
  const event = spans.find((s) => s.name === "UserCreated");
  assert(root && step && event, JSON.stringify(spans.map((s) => s.name)));
  assert(!root.parentSpanId, `root has parent ${root.parentSpanId}`);
  assertEquals(step.parentSpanId, root.spanId);
  assertEquals(event.parentSpanId, root.spanId);
  assertEquals(event.traceId, root.traceId);
  // Recorded by another telemetry that knew the API trace only from its traceparent.
  const shipped = spans.find((s) => s.name === "OrderShipped");
  assert(shipped, JSON.stringify(spans.map((s) => s.name)));
  assertEquals(shipped.parentSpanId, root.spanId);
  assertEquals(shipped.traceId, root.traceId);
  assertEquals(attribute(root, "rohas.method"), "POST");
  assertEquals(event.status?.code, 2);
});

Deno.test("OtelBridge stops creating spans after the first one when no provider is registered", () => {
  const noop = api.trace.getTracer("rohas-test");
  let started = 0;
  const counting: Tracer = {
    startSpan(...args: Parameters<Tracer["startSpan"]>) {
      started += 1;
      return noop.startSpan(...args);
    },
    startActiveSpan: noop.startActiveSpan.bind(noop) as Tracer["startActiveSpan"],
  };
  const bridge = new OtelBridge(api, counting);
  for (let i = 0; i < 5; i++) {
    bridge.start(`t${i}`, { entryPoint: "Health", entryType: "api" }, Date.now());
    bridge.end(`t${i}`, "success", undefined, Date.now());
  }
  assertEquals(started, 1);
});

Deno.test("OtelBridge gives no traceparent without a recording span, and ignores a malformed one", () => {
  const bridge = new OtelBridge(api, api.trace.getTracer("rohas-test"));
  for (
    const traceparent of [
      "garbage",
      "00-xyz-00f067aa0ba902b7-01",
      `00-${"0".repeat(32)}-00f067aa0ba902b7-01`,
    ]
  ) {
    bridge.start(
      "t",
      { entryPoint: "E", entryType: "event", parentId: "p", traceparent },
      Date.now(),
    );
    bridge.end("t", "success", undefined, Date.now());
  }
  assertEquals(bridge.traceparent("t"), undefined);
  assertEquals(bridge.traceparent("unknown"), undefined);
});
