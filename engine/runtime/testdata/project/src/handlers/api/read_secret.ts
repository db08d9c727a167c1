export async function handleReadSecret(req: { body: { path: string } }) {
  return { data: await Deno.readTextFile(req.body.path) };
}
