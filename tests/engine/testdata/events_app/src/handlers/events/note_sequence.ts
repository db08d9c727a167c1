import { append } from "../../lib/store.ts";

// Notes each event's index, in the order the handler runs.
export function handleNoteSequence(event: { payload: { i: number } }) {
  append("sequence", `${event.payload.i}\n`);
}
