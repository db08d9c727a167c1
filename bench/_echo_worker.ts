/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />

// A Worker that answers every request at once, to measure the transport alone. Modes:
// `clone`: one structured-clone object per message; `batch`: arrays of objects per post;
// `json`: arrays of JSON strings per post; `mailbox`: JSON batches through shared memory. Only
// bench/runtime_bench.ts uses it, to price the transports the engine chose between.

import { MailboxWriter, readMailbox } from "./_mailbox.ts";

type Request = { id: number; input: unknown };

self.onmessage = (event: MessageEvent<{ mode: string; data: unknown }>) => {
  const { mode, data } = event.data;
  switch (mode) {
    case "mailbox": {
      const { toWorker, toEngine } = data as Record<string, SharedArrayBuffer>;
      const writer = new MailboxWriter(toEngine!);
      readMailbox(toWorker!, (requests) => {
        for (const request of requests as Request[]) {
          writer.send(JSON.stringify({ id: request.id, result: answer(request.input) }));
        }
      });
      return;
    }
    case "clone": {
      const request = data as Request;
      self.postMessage({ mode, data: { id: request.id, result: answer(request.input) } });
      return;
    }
    case "batch": {
      const requests = data as Request[];
      const results = requests.map((request) => ({
        id: request.id,
        result: answer(request.input),
      }));
      self.postMessage({ mode, data: results });
      return;
    }
    case "json": {
      const requests = data as string[];
      const results = requests.map((text) => {
        const request = JSON.parse(text) as Request;
        return JSON.stringify({ id: request.id, result: answer(request.input) });
      });
      self.postMessage({ mode, data: results });
      return;
    }
  }
};

function answer(input: unknown) {
  const { body } = (input as { request: { body: { name: string } } }).request;
  return { ok: true, output: { kind: "json", value: { data: { name: body.name } } }, effects: [] };
}
