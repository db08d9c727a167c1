import { runKvConformance } from "./conformance.ts";
import { createMemoryKvBackend } from "./memory_backend.ts";
import { answerKvRequest, createRemoteKvBackend, type KvRequest } from "./remote.ts";
import type { KvBackend } from "./backend.ts";

const owners = new Map<string, KvBackend>();

// The requests cross a JSON boundary, as they do over a postMessage, a socket or a pipe.
runKvConformance("remote (over JSON)", {
  open: (namespace) => {
    const owner = owners.get(namespace) ?? createMemoryKvBackend();
    owners.set(namespace, owner);
    return Promise.resolve(createRemoteKvBackend(async (request: KvRequest) => {
      const answer = await answerKvRequest(owner, JSON.parse(JSON.stringify(request)));
      return JSON.parse(JSON.stringify(answer));
    }));
  },
});
