/**
 * What the tests share: temporary directories, running the CLI and ports for servers. Test-only; not published.
 *
 * @module
 */

export { type TempDir, tempDir, type TempDirOptions } from "./temp_dir.ts";
export { type CliRun, REPO, rohas, type RohasOptions } from "./cli.ts";
export { freePort, freePorts } from "./ports.ts";
