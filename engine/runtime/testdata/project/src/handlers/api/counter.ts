// Counts calls in this module instance: one instance per Worker, so it tells Workers apart.
let calls = 0;

export function handleCounter() {
  return { data: ++calls };
}
