// Says it started (the test sends SIGTERM then), then takes half a second.
export async function handleSlow(): Promise<unknown> {
  await Deno.writeTextFile(`out/slow-${Deno.pid}.started`, "");
  await new Promise((resolve) => setTimeout(resolve, 500));
  return { slow: true };
}
