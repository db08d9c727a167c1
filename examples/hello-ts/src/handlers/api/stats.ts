import { snapshot } from "../../lib/store.ts";

export function handleStats() {
  return { data: snapshot() };
}
