/**
 * The `denokv` adapter (work in progress, task A2).
 *
 * @module
 */

export {};
