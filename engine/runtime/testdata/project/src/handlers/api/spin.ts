export function handleSpin(): never {
  // deno-lint-ignore no-empty
  for (;;) {}
}
