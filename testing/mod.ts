/**
 * What the tests share: temporary directories and running the CLI. Test-only; not published.
 *
 * @module
 */

export { type TempDir, tempDir, type TempDirOptions } from "./temp_dir.ts";
export { type CliRun, REPO, rohas, type RohasOptions } from "./cli.ts";
