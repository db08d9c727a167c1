import type { FragileConnection } from "../../generated/websockets/fragile.ts";

export function handleFragileConnect(_connection: FragileConnection): never {
  throw new Error("Cannot accept connections today");
}
