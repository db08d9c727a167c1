/// <reference lib="dom" />
/**
 * Schema browser: schema and handler files by bucket, with their source.
 *
 * @module
 */

import { api } from "../api.ts";
import { h, replace } from "../dom.ts";
import { errorBox, type Page } from "./_shared.ts";

interface BucketFile {
  name: string;
  relative_path: string;
  size: number;
  content?: string;
}

interface Snapshot {
  schema: { total: number; buckets: { name: string; files: BucketFile[] }[] };
  handlers: { total: number; buckets: { name: string; files: BucketFile[] }[] };
}

/** The schema browser page. */
export function schemaPage(): Page {
  const list = h("div", { class: "file-list" });
  const source = h("pre", { class: "source", "data-testid": "source" }, "Pick a file");
  const el = h("div", {}, h("h1", {}, "Schema"), h("div", { class: "split" }, list, source));
  api<Snapshot>("snapshot").then((snap) => {
    const group = (title: string, buckets: Snapshot["schema"]["buckets"]) =>
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
                onclick: () => replace(source, f.content ?? ""),
              }, f.relative_path)
            ),
          )
        ),
      );
    replace(
      list,
      group(`Schema files (${snap.schema.total})`, snap.schema.buckets),
      group(`Handlers (${snap.handlers.total})`, snap.handlers.buckets),
    );
    const first = snap.schema.buckets[0]?.files[0];
    if (first) replace(source, first.content ?? "");
  }).catch((error) => replace(list, errorBox(error)));
  return { el };
}
