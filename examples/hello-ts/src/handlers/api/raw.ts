import type { RawRequest } from "../../generated/api/raw.ts";

// A web Response gives full control of the status, headers and body.
export function handleRaw(_req: RawRequest): Response {
  return new Response("made by hand", { status: 201, headers: { "x-custom": "yes" } });
}
