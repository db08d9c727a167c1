// Leaves an unhandled rejection behind, which kills the Worker, and never answers itself.
export function handleCrash(): Promise<never> {
  setTimeout(() => Promise.reject(new Error("Nobody catches this")), 0);
  return new Promise(() => {});
}
