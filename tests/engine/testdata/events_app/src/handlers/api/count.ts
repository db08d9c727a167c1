import { snapshot } from "../../lib/store.ts";

export function handleCount() {
  return { data: snapshot() };
}
