import { bump, idOf } from "../../lib/store.ts";

export function handleSendWelcomeEmail(event: { payload: unknown }) {
  bump(`send_welcome_email:${idOf(event.payload)}`);
}
