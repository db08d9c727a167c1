export function handleCancel(
  req: { id: string },
  state: { cancelEvent(e: string, key: string): void },
): { data: { cancelled: string } } {
  state.cancelEvent("Reminded", req.id);
  return { data: { cancelled: req.id } };
}
