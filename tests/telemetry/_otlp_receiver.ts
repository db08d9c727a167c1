// An OTLP/HTTP receiver on loopback (JSON protocol) for the OpenTelemetry tests: it decodes every
// span it is sent.

/** One span as OTLP/JSON encodes it. */
export interface OtlpSpan {
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

/** A running receiver. */
export interface OtlpReceiver extends AsyncDisposable {
  /** The environment that makes a Deno process export its spans here. */
  env: Record<string, string>;
  /** Every span received so far. */
  spans: OtlpSpan[];
  /** Resolves once a span with each of these names has arrived. */
  received(...names: string[]): Promise<void>;
}

/** Starts a receiver on a free loopback port. */
export function otlpReceiver(): OtlpReceiver {
  const spans: OtlpSpan[] = [];
  const waiters = new Set<() => void>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    if (new URL(req.url).pathname === "/v1/traces") {
      const body = await req.json() as OtlpBody;
      for (const r of body.resourceSpans ?? []) {
        for (const s of r.scopeSpans ?? []) spans.push(...(s.spans ?? []));
      }
      for (const waiter of [...waiters]) waiter();
    } else {
      await req.body?.cancel();
    }
    return Response.json({});
  });
  return {
    env: {
      OTEL_DENO: "true",
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${server.addr.port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_SERVICE_NAME: "rohas-test",
    },
    spans,
    received(...names) {
      return new Promise((resolve) => {
        const check = () => {
          const seen = new Set(spans.map((s) => s.name));
          if (!names.every((n) => seen.has(n))) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    },
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** A span's string attribute. */
export function attribute(span: OtlpSpan, key: string): string | undefined {
  return span.attributes?.find((a) => a.key === key)?.value.stringValue;
}
