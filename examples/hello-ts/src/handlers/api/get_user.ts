export function handleGetUser(req: { id: string; queryParams: Record<string, string | string[]> }) {
  return { data: { id: req.id, queryParams: req.queryParams } };
}
