import type { State } from "../../generated/state.ts";

export function handleOtherThing(): never {
  throw new Error("Never called: not a candidate");
}

export function send_welcome_email(
  event: { payload: { email: string }; id: string; attempt: number },
  state: State,
) {
  state.triggerEvent("EmailSent", { to: event.payload.email });
  return { sent: event.payload.email, id: event.id, attempt: event.attempt };
}
