export function handleBench(req: { body: { name: string } }) {
  return { data: { ok: true, name: req.body.name } };
}
