/**
 * `/snapshot` and `/data` (docs/compatibility.md#workbench-api): the project's schema and handler
 * files by bucket. Fixed: `.ro` files directly under `schema/` form their own bucket (the original
 * ignored them), and activity times are the files' real modification times, not invented ones.
 *
 * @module
 */

import { join, relative } from "node:path";
import type { RohasConfig } from "../project/mod.ts";
import { redactSecrets } from "./_redact.ts";

/** One file of a bucket. */
export interface BucketFile {
  name: string;
  relative_path: string;
  size: number;
  content?: string;
  /** Extension: modification time, ISO 8601. */
  modified?: string;
}

/** Files grouped by their first folder. */
export interface Bucket {
  name: string;
  files: BucketFile[];
}

const HANDLER_EXTENSIONS = [".py", ".ts", ".js", ".tsx"];

async function walk(dir: string, accept: (name: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [];
    for await (const e of Deno.readDir(dir)) entries.push(e);
  } catch {
    return out;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    if (e.name.startsWith(".") || e.name === "__pycache__" || e.name === "node_modules") continue;
    const path = join(dir, e.name);
    if (e.isDirectory) out.push(...await walk(path, accept));
    else if (e.isFile && accept(e.name)) out.push(path);
  }
  return out;
}

async function fileOf(root: string, path: string): Promise<BucketFile> {
  const stat = await Deno.stat(path);
  const file: BucketFile = {
    name: path.split("/").at(-1) ?? path,
    relative_path: relative(root, path),
    size: stat.size,
    content: await Deno.readTextFile(path),
  };
  if (stat.mtime) file.modified = stat.mtime.toISOString();
  return file;
}

async function buckets(
  root: string,
  base: string,
  accept: (name: string) => boolean,
  rootBucket: string | null,
): Promise<Bucket[]> {
  const byName = new Map<string, BucketFile[]>();
  for (const path of await walk(join(root, base), accept)) {
    const inside = relative(join(root, base), path).split("/");
    const name = inside.length > 1 ? inside[0]! : rootBucket;
    if (name === null) continue;
    const list = byName.get(name) ?? [];
    list.push(await fileOf(root, path));
    byName.set(name, list);
  }
  return [...byName.entries()].map(([name, files]) => ({ name, files })).sort((a, b) =>
    b.files.length - a.files.length || (a.name < b.name ? -1 : 1)
  );
}

/** Schema buckets: subfolders of `schema/`, plus `schema` for files directly in it.
 *
 * @param root the project root
 * @returns the buckets, most files first
 */
export function schemaBuckets(root: string): Promise<Bucket[]> {
  return buckets(root, "schema", (n) => n.endsWith(".ro"), "schema");
}

/** Handler buckets: subfolders of `src/handlers/`.
 *
 * @param root the project root
 * @returns the buckets, most files first
 */
export function handlerBuckets(root: string): Promise<Bucket[]> {
  return buckets(
    root,
    "src/handlers",
    (n) => HANDLER_EXTENSIONS.some((e) => n.endsWith(e)),
    null,
  );
}

/** Middleware files: everything under `src/middlewares/`, one `middlewares` bucket per subfolder
 * (files directly in it form the `middlewares` bucket).
 *
 * @param root the project root
 * @returns the buckets, most files first
 */
export function middlewareBuckets(root: string): Promise<Bucket[]> {
  return buckets(
    root,
    "src/middlewares",
    (n) => HANDLER_EXTENSIONS.some((e) => n.endsWith(e)),
    "middlewares",
  );
}

/** The `config` object of `/snapshot` and `/data`, secrets redacted (broker URLs carry them).
 *
 * @param config the resolved config
 * @returns project, server and adapter values
 */
export function configSummary(config: RohasConfig): Record<string, unknown> {
  return {
    project: {
      name: config.project.name,
      version: config.project.version,
      language: config.project.language,
    },
    server: { host: config.server.host, port: config.server.port },
    adapter: redactSecrets({ ...config.adapter.settings, type: config.adapter.type }),
    telemetry: { type: config.telemetry.type },
  };
}

/** Formats a size the way the original's rows do.
 *
 * @param bytes the size
 * @returns `"<n> B"` or `"<x.y> KB|MB|GB"`
 */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${value.toFixed(1)} ${units[i]}`;
}

/** The `/data` body.
 *
 * @param root the project root
 * @param config the resolved config
 * @param now the current time in ms
 * @returns rows and activity
 */
export async function dataBody(
  root: string,
  config: RohasConfig,
  now: number,
): Promise<Record<string, unknown>> {
  const schema = await schemaBuckets(root);
  const handlers = await handlerBuckets(root);
  const rows = (list: Bucket[]) =>
    list.flatMap((b) =>
      b.files.map((f) => ({
        name: f.name,
        bucket: b.name,
        path: f.relative_path,
        size: formatSize(f.size),
      }))
    ).slice(0, 50);
  return {
    root,
    config: configSummary(config),
    schema_total: schema.reduce((n, b) => n + b.files.length, 0),
    schema_bucket_count: schema.length,
    handler_total: handlers.reduce((n, b) => n + b.files.length, 0),
    schema_rows: rows(schema),
    handler_rows: rows(handlers),
    activity: activity(schema, handlers, now),
  };
}

function activity(schema: Bucket[], handlers: Bucket[], now: number) {
  const items = [
    ...schema.flatMap((b) => b.files.map((f) => ({ kind: "schema", bucket: b.name, f }))),
    ...handlers.flatMap((b) => b.files.map((f) => ({ kind: "handler", bucket: b.name, f }))),
  ].sort((a, b) => (b.f.modified ?? "").localeCompare(a.f.modified ?? "")).slice(0, 12);
  if (items.length === 0) {
    return [{
      id: "bootstrap",
      title: "Workspace bootstrap",
      description: "No schema or handler files yet",
      timestamp: "just now",
    }];
  }
  return items.map(({ kind, bucket, f }) => ({
    id: `${kind}-${f.relative_path}`,
    title: `${kind === "schema" ? "Schema" : "Handler"} ${f.name}`,
    description: `Category ${bucket} (${f.relative_path})`,
    timestamp: ago(now - Date.parse(f.modified ?? new Date(now).toISOString())),
  }));
}

function ago(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.floor(hours / 24)} days ago`;
}
