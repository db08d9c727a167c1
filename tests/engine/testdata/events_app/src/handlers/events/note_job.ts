import { bump } from "../../lib/store.ts";

export function handleNoteJob(event: { payload: { n: number } }) {
  bump(`noted:${event.payload.n}`);
}
