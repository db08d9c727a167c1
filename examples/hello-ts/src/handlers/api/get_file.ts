export function handleGetFile(
  req: { name: string; queryParams: Record<string, string | string[]> },
) {
  return { data: { name: req.name, queryParams: req.queryParams } };
}
