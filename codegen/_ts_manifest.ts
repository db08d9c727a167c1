/**
 * `generated/manifest.ts` (docs/design.md#d7-runtime): static imports of every TypeScript handler
 * and middleware for in-process runs, plus a compile-time check that each handler fits its
 * generated type, so `deno check` names a handler whose signature is wrong.
 *
 * @module
 */

import { type HandlerPlan, isBatched } from "./_handlers.ts";
import { snake } from "./_names.ts";
import { byText, ImportSet } from "./_schema_index.ts";
import { TS_HEADER, tsSpecifier } from "./_ts_module.ts";
import { tsExportName } from "./_ts_stubs.ts";
import { CodeWriter } from "./_writer.ts";

/** A TypeScript handler file: its project-relative path and what it implements. */
export interface ManifestEntry {
  path: string;
  plan: HandlerPlan;
}

/** The text of `generated/manifest.ts`.
 *
 * @param entries every TypeScript handler file
 * @param prefix the output dir with a trailing slash (`"src/"`), or `""`
 * @returns the module source
 */
export function tsManifestModule(entries: ManifestEntry[], prefix: string): string {
  const sorted = [...entries].sort((a, b) => byText(a.path, b.path));
  const depth = prefix === "" ? 0 : prefix.split("/").length - 1;
  const mods = sorted.map((_, i) => `mod${i}`);
  const types = new ImportSet(["manifest", "HandlerOf", "Satisfies", "HandlerChecks", ...mods]);
  const checks = sorted.flatMap((entry, i) =>
    handlerTypes(entry.plan).map(([module, name]) => {
      const local = types.add(tsSpecifier("", module), name);
      return `Satisfies<HandlerOf<typeof mod${i}, "${tsExportName(entry.plan)}">, ${local}>,`;
    })
  );
  const w = new CodeWriter("  ").line(TS_HEADER).line();
  sorted.forEach((entry, i) =>
    w.line(`import * as mod${i} from "../${entry.path.slice(prefix.length)}";`)
  );
  for (const { module, names } of types.entries()) {
    const list = names.map((n) => n.name === n.local ? n.name : `${n.name} as ${n.local}`);
    w.line(`import type { ${list.join(", ")} } from "${module}";`);
  }
  if (sorted.length > 0) w.line();
  w.line(
    "/** Every handler and middleware module, keyed by project-relative path (in-process runs). */",
  );
  w.block("export const manifest = {", () => {
    w.line(`root: import.meta.resolve("${"../".repeat(depth + 1)}"),`);
    w.block("modules: {", () => {
      sorted.forEach((entry, i) => w.line(`${JSON.stringify(entry.path)}: mod${i},`));
    }, "} as Record<string, Record<string, unknown>>,");
  }, "};");
  w.line().lines(CHECK_TYPES);
  if (checks.length === 0) w.line("export type HandlerChecks = [];");
  else w.block("export type HandlerChecks = [", () => w.lines(checks), "];");
  return w.toString();
}

const CHECK_TYPES = [
  "/** The export the engine calls: the named one, else `default`. */",
  "type HandlerOf<M, K extends PropertyKey> = K extends keyof M ? M[K]",
  "  : M extends { default: infer D } ? D",
  "  : undefined;",
  "",
  "/** Fails type checking when `T` does not fit the generated handler type `H`. */",
  "type Satisfies<T extends H | undefined, H> = T;",
  "",
  "/** Compile-time only: `deno check` names every handler whose signature does not fit its type. */",
];

/** The generated handler types a file must fit, as [module under generated/, type name]. */
function handlerTypes(plan: HandlerPlan): [string, string][] {
  switch (plan.kind) {
    case "api":
      return [[`api/${snake(plan.api.name)}.ts`, `${plan.api.name}Handler`]];
    case "event":
      return [
        ...new Map(plan.events.map((e) => {
          const type = isBatched(e, plan.entry) ? `${e.name}BatchHandler` : `${e.name}Handler`;
          return [e.name, type] as const;
        })),
      ].map(([name, type]) => [`events/${snake(name)}.ts`, type]);
    case "cron":
      return [[`cron/${snake(plan.cron.name)}.ts`, `${plan.cron.name}Handler`]];
    case "ws_connect":
    case "ws_message":
    case "ws_disconnect": {
      const role = { ws_connect: "Connect", ws_message: "Message", ws_disconnect: "Disconnect" };
      return [[`websockets/${snake(plan.ws.name)}.ts`, `${plan.ws.name}${role[plan.kind]}Handler`]];
    }
    case "middleware":
      return [["state.ts", "MiddlewareHandler"]];
  }
}
