import { CLI, startServer, wallMs } from "./_project.ts";
import { Collector } from "./_collector.ts";
import { writeEventsProject } from "./_events_project.ts";
const event = Deno.args[0] ?? "PingAnyOrder";
const collector = new Collector();
const root = await writeEventsProject(collector.port);
const server = await startServer([
  "run",
  "-A",
  "--cpu-prof",
  "--cpu-prof-dir=/tmp/evp/prof",
  CLI,
  "start",
  "--port",
  "0",
  root,
]);
for (let r = 0; r < 6; r++) {
  const phase = `p${r}`;
  const res = await fetch(`${server.url}/burst`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ n: 10000, t: wallMs(), phase, event }),
  });
  await res.arrayBuffer();
  await collector.phase(phase, 10000);
}
await server[Symbol.asyncDispose]();
await collector.close();
