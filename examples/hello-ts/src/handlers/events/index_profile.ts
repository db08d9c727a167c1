import type { ProfileEdited } from "../../generated/events/profile_edited.ts";
import type { State } from "../../generated/state.ts";
import { bump } from "../../lib/store.ts";

// Debounced (see schema/events.ro): runs once per burst of edits of one profile, with the last.
export async function handleIndexProfile(event: ProfileEdited, state: State): Promise<void> {
  bump(`index_profile:${event.payload.id}`);
  await state.kv.set(["profiles", event.payload.id], event.payload.name);
}
