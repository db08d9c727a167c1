let running = false;

export async function handleSlowTick() {
  if (running) throw new Error("Overlapping run");
  running = true;
  await new Promise((resolve) => setTimeout(resolve, 2500));
  running = false;
}
