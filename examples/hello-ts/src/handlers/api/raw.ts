export function handleRaw(): Response {
  return new Response("made by hand", { status: 201, headers: { "x-custom": "yes" } });
}
