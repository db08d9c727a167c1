export function handleRelay(req: { body: { n: number; ms: number } }) {
  return { data: { n: req.body.n, ms: req.body.ms } };
}
