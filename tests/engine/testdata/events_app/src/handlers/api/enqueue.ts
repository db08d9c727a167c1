// The body becomes the JobQueued payload (the schema trigger publishes the result's data).
export function handleEnqueue(req: { body: { n: number; ms: number } }) {
  return { data: { n: req.body.n, ms: req.body.ms } };
}
