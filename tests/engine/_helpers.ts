// Shared by the engine's end-to-end tests.
import { fileURLToPath } from "node:url";

/** A file URL as a path. */
export function fromFileUrl(url: URL): string {
  return fileURLToPath(url).replace(/\/+$/, "");
}
