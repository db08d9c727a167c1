import { engineEvents } from "./_engine_events.ts";
import { procStat } from "./_project.ts";
function threads(): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of Deno.readDirSync(`/proc/${Deno.pid}/task`)) {
    const s = procStat(`/proc/${Deno.pid}/task/${t.name}/stat`);
    if (!s) continue;
    const key = t.name === String(Deno.pid)
      ? "main"
      : s.name.startsWith("worker")
      ? "workers"
      : s.name.startsWith("V8")
      ? "gc"
      : "other";
    m.set(key, (m.get(key) ?? 0) + s.ticks);
  }
  return m;
}
let posts = 0;
const orig = Worker.prototype.postMessage;
Worker.prototype.postMessage = function (m: any, ...rest: any[]) {
  posts++;
  return orig.call(this, m, ...rest);
};
const ordered = Deno.args[0] !== "any";
const rounds = Number(Deno.args[1] ?? 3);
for (let i = 0; i < rounds; i++) {
  posts = 0;
  const before = threads();
  const r = await engineEvents(20000, ordered ? undefined : { ordered: false });
  const after = threads();
  const parts = [...after].map(([k, v]) =>
    `${k} ${((v - (before.get(k) ?? 0)) * 10000 / 22000).toFixed(1)}`
  ).join(", ");
  console.log(
    ordered ? "ordered" : "any",
    r.perSecond.toFixed(0),
    "ev/s",
    r.cpuUs.toFixed(1),
    "us/ev |",
    parts,
    "| posts",
    posts,
  );
}
