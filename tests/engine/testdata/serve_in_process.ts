// The in-process entry a Deno Deploy or `deno compile` user writes: createApp over the example's
// generated manifest, listening on a free port; prints the port, then serves until killed.
import { createApp } from "../../../mod.ts";
import { manifest } from "../../../examples/hello-ts/src/generated/manifest.ts";

const app = await createApp({ manifest });
app.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: (addr) => Deno.stdout.write(new TextEncoder().encode(`${addr.port}\n`)),
});
