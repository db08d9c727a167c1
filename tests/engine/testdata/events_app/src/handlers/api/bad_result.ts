// Its result becomes the JobQueued payload of its schema trigger, and lacks "ms".
export function handleBadResult() {
  return { data: { n: 1 } };
}
