/**
 * The journey's channel states (Letter, Email, SMS, WhatsApp, CallTask, Await). Each is its own Lambda function
 * with its own entry file (email.ts, sms.ts, …): the same handler, but each bundle carries only its own channel's
 * adapter, renderer parts and templates (infra/aws/functions.ts), and each function only its own provider secret.
 */
import type { Context } from 'aws-lambda';
import { now } from '../shared/clock.js';
import { journeyCorrelation, lambdaHandler } from '../shared/lambda.js';
import { ChannelStepEvent } from '../shared/schemas/journey.js';
import { runChannelStep } from '../services/channel-step.js';

export type StepChannel = ChannelStepEvent['channel'];

export function channelStep(channel: StepChannel): (event: unknown, context?: Context) => Promise<void> {
  return lambdaHandler(async (event: unknown) => {
    const ev = ChannelStepEvent.parse(event);
    // The state machine binds each state to its own function; a mismatch is a wiring mistake, not input to act on.
    if (ev.channel !== channel) throw new Error(`the ${channel} function got a ${ev.channel} step`);
    await runChannelStep(ev, now());
  }, journeyCorrelation);
}
