// Reads outside the project: denied by the default permissions, with a hint naming the config key.
export async function handleReadSecret() {
  const text = await Deno.readTextFile("/etc/hostname");
  return { data: { length: text.length } };
}
