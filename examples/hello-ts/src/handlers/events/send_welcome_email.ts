import type { UserCreated } from "../../generated/events/user_created.ts";
import { bump, idOf } from "../../lib/store.ts";

export function handleSendWelcomeEmail(event: UserCreated): void {
  bump(`send_welcome_email:${idOf(event.payload)}`);
}
