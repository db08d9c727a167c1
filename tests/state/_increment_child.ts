// A separate process that adds `count` to the counter `["counter"]` with check-and-set retries.
import { openState } from "../../state/mod.ts";
import type { StateSection } from "../../project/mod.ts";

const [sectionJson, namespace, count] = Deno.args;
const kv = await openState(JSON.parse(sectionJson!) as StateSection, {
  root: ".",
  namespace: namespace!,
});
for (let i = 0; i < Number(count); i++) {
  for (;;) {
    const current = await kv.get<number>(["counter"]);
    const result = await kv.atomic().check(current).set(["counter"], (current.value ?? 0) + 1)
      .commit();
    if (result.ok) break;
  }
}
await kv.close();
