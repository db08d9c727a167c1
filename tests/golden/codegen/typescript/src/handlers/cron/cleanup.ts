import type { State } from "../../generated/state.ts";

/** Runs cron job `Cleanup` (`*\/5 * * * *`). */
export function handleCleanup(state: State): Promise<void> {
  state.logger.info("Cron job ran", { job: "Cleanup" });
  return Promise.resolve();
}
