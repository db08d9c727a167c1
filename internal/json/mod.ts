/**
 * What the memory adapter and the handler runtime share: copying a JSON value as its JSON round
 * trip would, without building its text (a published envelope, a `state.triggerEvent` payload).
 *
 * @module
 */

export { copyJson } from "./copy_json.ts";
