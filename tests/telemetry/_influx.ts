/**
 * InfluxDB helpers for the telemetry tests.
 *
 * @module
 */

/** Drops a throwaway database a test made. */
export async function dropInfluxDatabase(url: string, database: string): Promise<void> {
  const body = new URLSearchParams({ q: `DROP DATABASE "${database}"` });
  const response = await fetch(`${url}/query`, { method: "POST", body });
  await response.body?.cancel();
}
