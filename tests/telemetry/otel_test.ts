import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { trace, type Tracer } from "@opentelemetry/api";
import { OtelBridge } from "../../telemetry/otel.ts";

interface OtlpSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  status?: { code?: number };
  attributes?: { key: string; value: { stringValue?: string } }[];
}

interface OtlpBody {
  resourceSpans?: { scopeSpans?: { spans?: OtlpSpan[] }[] }[];
}

function spansOf(body: OtlpBody): OtlpSpan[] {
  return (body.resourceSpans ?? []).flatMap((r) => r.scopeSpans ?? []).flatMap((s) =>
    s.spans ?? []
  );
}

function attribute(span: OtlpSpan, key: string): string | undefined {
  return span.attributes?.find((a) => a.key === key)?.value.stringValue;
}

Deno.test("traces reach an OTLP/HTTP receiver as a span tree when OTEL_DENO=true, across processes through the traceparent", async () => {
  const spans: OtlpSpan[] = [];
  const received = Promise.withResolvers<void>();
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const url = new URL(req.url);
      if (url.pathname === "/v1/traces") {
        spans.push(...spansOf(await req.json()));
        const names = new Set(spans.map((s) => s.name));
        if (names.has("UserCreated") && names.has("OrderShipped")) received.resolve();
      } else {
        await req.body?.cancel();
      }
      return Response.json({});
    },
  );
  const script = fromFileUrl(new URL("./fixtures/otel_emit.ts", import.meta.url));
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script],
    env: {
      OTEL_DENO: "true",
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${server.addr.port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_SERVICE_NAME: "rohas-test",
    },
    stdout: "piped",
    stderr: "piped",
  });
  const output = await child.output();
  assert(output.success, new TextDecoder().decode(output.stderr));
  await received.promise;
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
  const noop = trace.getTracer("rohas-test");
  let started = 0;
  const counting: Tracer = {
    startSpan(...args: Parameters<Tracer["startSpan"]>) {
      started += 1;
      return noop.startSpan(...args);
    },
    startActiveSpan: noop.startActiveSpan.bind(noop) as Tracer["startActiveSpan"],
  };
  const bridge = new OtelBridge(counting);
  for (let i = 0; i < 5; i++) {
    bridge.start(`t${i}`, { entryPoint: "Health", entryType: "api" }, Date.now());
    bridge.end(`t${i}`, "success", undefined, Date.now());
  }
  assertEquals(started, 1);
});

Deno.test("OtelBridge gives no traceparent without a recording span, and ignores a malformed one", () => {
  const bridge = new OtelBridge(trace.getTracer("rohas-test"));
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
