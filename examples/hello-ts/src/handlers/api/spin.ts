export function handleSpin(): never {
  // Never returns: the engine answers 504 and replaces the Worker.
  while (true) { /* spin */ }
}
