/**
 * The journey's channel states (Letter, Email, SMS, WhatsApp, CallTask, Await) — one export each, so on
 * AWS every channel is its own function with only its own provider secret.
 */
import { now } from '../shared/clock.js';
import { ChannelStepEvent } from '../shared/schemas/journey.js';
import { runChannelStep } from '../services/channel-step.js';

async function step(event: unknown): Promise<void> {
  await runChannelStep(ChannelStepEvent.parse(event), now());
}

export const email = step;
export const sms = step;
export const whatsapp = step;
export const letter = step;
export const callTask = step;
export const park = step;
