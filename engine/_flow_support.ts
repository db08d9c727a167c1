/**
 * Which flow controls (`on handler { … }` in an event) this engine enforces. A control the schema
 * declares but the engine does not enforce yet refuses the start, with a diagnostic at the control,
 * so a limit is never silently ignored. ARCHITECTURE.md ("Flow control") describes the plan.
 *
 * @module
 */

// The parser's data files, not its door: an edge checks a prepared schema without the parser.
import {
  FLOW_CONTROL_KEYS,
  type FlowControlKey,
  type FlowControls,
  type Schema,
  type SchemaLocations,
  type Span,
} from "../parser/ast.ts";
import { compareDiagnostics, type Diagnostic, diagnosticAt } from "../parser/diagnostic.ts";

/** The diagnostic code of a declared control the engine does not enforce yet. */
export const FLOW_NOT_ENFORCED = "flow-control-not-enforced";

// TODO(#19): enforce each control and add it here; until then a project declaring one is refused.
// `concurrency`, `rate` and `throttle` hold across instances (engine/limits/); `batch` gathers
// deliveries per instance (engine/_batcher.ts); `debounce` holds across instances
// (engine/_debouncer.ts); `delay` holds deliveries in the durable timer store (engine/delayed/);
// `ordered` needs no state.
const ENFORCED: ReadonlySet<FlowControlKey> = new Set<FlowControlKey>([
  "concurrency",
  "rate",
  "throttle",
  "batch",
  "debounce",
  "delay",
  "ordered",
]);

/** The schema's key of each control (`delay` is stored as `delay_ms`). */
const FIELDS = {
  concurrency: "concurrency",
  rate: "rate",
  throttle: "throttle",
  debounce: "debounce",
  batch: "batch",
  priority: "priority",
  delay: "delay_ms",
  ordered: "ordered",
} as const satisfies Record<FlowControlKey, keyof FlowControls>;

/** Why a control is refused, where there is more to say than "not yet". */
const REFUSED_BECAUSE: Partial<Record<FlowControlKey, string>> = {
  priority: "every event of a handler has the handler's one priority, and each handler has a " +
    "consumer group (a queue) of its own, so there is nothing for the priority to order on any " +
    "adapter, RabbitMQ's priority queues included",
};

/** An error for each declared flow control the engine does not enforce yet, at its position.
 *
 * @param schema the validated schema
 * @param locations the parser's positions; without them, diagnostics point at `<schema>:1:1`
 * @returns the diagnostics, in schema order
 */
export function unenforcedFlowControls(
  schema: Schema,
  locations: SchemaLocations = new WeakMap(),
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const event of schema.events) {
    for (const flow of event.flow ?? []) {
      for (const key of FLOW_CONTROL_KEYS) {
        if (flow[FIELDS[key]] === undefined || ENFORCED.has(key)) continue;
        const span = locations.get(flow)?.properties[key] ?? locations.get(event)?.span;
        out.push(diagnosticAt(span ?? unknownSpan(), {
          code: FLOW_NOT_ENFORCED,
          severity: "error",
          message: `Flow control '${key}' of handler '${flow.handler}' (event '${event.name}') ` +
            (REFUSED_BECAUSE[key] === undefined
              ? "is declared but this engine does not enforce it yet: remove it to start"
              : `is declared but this engine does not enforce it: ${
                REFUSED_BECAUSE[key]
              }; remove it to start`),
        }));
      }
    }
  }
  return out.sort(compareDiagnostics);
}

function unknownSpan(): Span {
  return {
    file: "<schema>",
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 1,
    offset: 0,
    endOffset: 0,
  };
}
