/** Provider webhook bodies (the form fields we use; the providers send more). */
import * as z from '../zod.js';

/** Twilio's inbound message webhook. */
export const TwilioInbound = z.object({
  MessageSid: z.string().check(z.minLength(1)),
  AccountSid: z.string().check(z.minLength(1)),
  From: z.string().check(z.minLength(1)),
  To: z.string().check(z.minLength(1)),
  Body: z._default(z.string(), ''),
});

/** Twilio's message status callback. */
export const TwilioStatus = z.object({
  MessageSid: z.string().check(z.minLength(1)),
  MessageStatus: z.string().check(z.minLength(1)),
  ErrorCode: z.optional(z.string()),
});
