export function handleFail(): never {
  throw new Error("Database exploded");
}
