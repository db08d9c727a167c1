export function handleFragileConnect(): never {
  throw new Error("Cannot accept connections today");
}
