import type { ReadSecretRequest, ReadSecretResponse } from "../../generated/api/read_secret.ts";

// Reads outside the project: denied by the default permissions, with a hint naming the config key.
export async function handleReadSecret(_req: ReadSecretRequest): Promise<ReadSecretResponse> {
  const text = await Deno.readTextFile("/etc/hostname");
  return { data: { length: text.length } };
}
