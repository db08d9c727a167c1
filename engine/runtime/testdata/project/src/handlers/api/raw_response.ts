export function handleRawResponse() {
  return new Response("created!", { status: 201, headers: { "x-custom": "yes" } });
}
