// Waits until the test's server answers `req.body.gate`, then says which version of the code ran.
export async function handleGated(req: { body: { gate?: string } }) {
  if (req.body.gate !== undefined) await (await fetch(req.body.gate)).text();
  return { data: "v1" };
}
