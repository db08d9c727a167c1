// Starts this example with `rohas dev` on a free port, in a copy of the project (handlers write
// counters under .rohas/), and stops it on dispose.
import { copy } from "./_copy.ts";

const EXAMPLE = new URL("..", import.meta.url).pathname;
const CLI = new URL("../../../cli.ts", import.meta.url).pathname;

/** A running example server. */
export interface ExampleServer extends AsyncDisposable {
  url: string;
}

/** Starts the example and resolves once it listens. */
export async function startExample(): Promise<ExampleServer> {
  const dir = await Deno.makeTempDir({ prefix: "rohas-hello-ts-" });
  await copy(EXAMPLE, dir);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "dev", "--port", "0", "--no-watch", dir],
    stdout: "piped",
    stderr: "inherit",
    env: { NO_COLOR: "1" },
  }).spawn();
  const dispose = async () => {
    child.kill("SIGTERM");
    await child.status;
    await Deno.remove(dir, { recursive: true });
  };
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (true) {
    const { done, value } = await reader.read();
    if (done) {
      await dispose();
      throw new Error(`The example exited before listening:\n${text}`);
    }
    text += decoder.decode(value, { stream: true });
    const match = text.match(/listening on (http:\/\/\S+)/);
    if (match) {
      // Keep reading so the server never blocks on a full pipe.
      (async () => {
        while (!(await reader.read()).done);
      })();
      return { url: match[1]!, [Symbol.asyncDispose]: dispose };
    }
  }
}
