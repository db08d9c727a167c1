export function handleProtected(req: { queryParams: Record<string, string | string[]> }) {
  return { data: { user: req.queryParams.user ?? null } };
}
