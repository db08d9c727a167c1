import type { UserOnboarded } from "../../generated/events/user_onboarded.ts";
import { bump, idOf } from "../../lib/store.ts";

// UserOnboarded is forwarded by UserCreated's own `triggers:`, with the same payload.
export function handleCountOnboarded(event: UserOnboarded): void {
  bump(`count_onboarded:${idOf(event.payload)}`);
}
