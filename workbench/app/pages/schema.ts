/// <reference lib="dom" />
/**
 * Schema browser: schema, handler and middleware files by bucket, with their source; each
 * middleware of the schema with what it guards.
 *
 * @module
 */

import { api } from "../api.ts";
import { h, replace } from "../dom.ts";
import { endpoints, errorBox, middlewareGuards, type Page } from "./_shared.ts";

interface BucketFile {
  name: string;
  relative_path: string;
  size: number;
  content?: string;
}

type Buckets = { name: string; files: BucketFile[] }[];

interface Snapshot {
  schema: { total: number; buckets: Buckets };
  handlers: { total: number; buckets: Buckets };
  middlewares?: { total: number; buckets: Buckets };
}

/** The schema browser page. */
export function schemaPage(): Page {
  const list = h("div", { class: "file-list" });
  const source = h("pre", { class: "source", "data-testid": "source" }, "Pick a file");
  const el = h("div", {}, h("h1", {}, "Schema"), h("div", { class: "split" }, list, source));
  const show = (f: BucketFile) => replace(source, f.content ?? "");
  Promise.all([api<Snapshot>("snapshot"), endpoints()]).then(([snap, ends]) => {
    const group = (title: string, buckets: Buckets) =>
      h(
        "div",
        {},
        h("h2", {}, title),
        buckets.map((b) =>
          h(
            "div",
            { class: "bucket" },
            h("h3", {}, b.name),
            b.files.map((f) =>
              h("button", {
                class: "file",
                "data-testid": "file",
                onclick: () => show(f),
              }, f.relative_path)
            ),
          )
        ),
      );
    const files = (snap.middlewares?.buckets ?? []).flatMap((b) => b.files);
    const guards = [...middlewareGuards(ends)];
    replace(
      list,
      group(`Schema files (${snap.schema.total})`, snap.schema.buckets),
      group(`Handlers (${snap.handlers.total})`, snap.handlers.buckets),
      h(
        "div",
        { "data-testid": "middlewares" },
        h("h2", {}, `Middlewares (${guards.length})`),
        guards.length === 0 ? h("p", { class: "muted" }, "No API or WebSocket has one") : "",
        guards.map(([name, { apis, websockets }]) => {
          // A middleware's file is named after it: src/middlewares/<name>.<ext>.
          const file = files.find((f) => f.name.replace(/\.[^.]+$/, "") === name);
          const guarded = [...apis.map((a) => `API ${a}`), ...websockets.map((w) => `ws ${w}`)];
          return h(
            "button",
            {
              class: "file",
              "data-testid": "middleware",
              "data-name": name,
              onclick: () => file ? show(file) : replace(source, `No file for middleware ${name}`),
            },
            name,
            h("span", { class: "muted" }, ` guards ${guarded.join(", ")}`),
          );
        }),
      ),
    );
    const first = snap.schema.buckets[0]?.files[0];
    if (first) show(first);
  }).catch((error) => replace(list, errorBox(error)));
  return { el };
}
