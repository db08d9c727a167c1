export function handleSearchUsers(req: { body: unknown }) {
  return { data: { query: req.body } };
}
