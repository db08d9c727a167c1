// What this isolate saw: module variables live per isolate, which is what the tests observe.
export const counters = {
  isolate: crypto.randomUUID(),
  ticks: 0,
  attempts: 0,
  handled: [] as string[],
};
