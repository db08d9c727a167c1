// A careless handler: ends its own process (or Worker).
export function handleExit(): never {
  Deno.exit(3);
}
