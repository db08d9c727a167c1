import { parse } from "npm:smol-toml@^1.9.1";

// Real async I/O: a timer, a fetch on loopback, and an npm package.
export async function handleFetchToml(req: { body: { url: string } }) {
  await new Promise((resolve) => setTimeout(resolve, 1));
  const text = await (await fetch(req.body.url)).text();
  return { data: parse(text) };
}
