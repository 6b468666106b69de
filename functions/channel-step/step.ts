/**
 * The journey's channel states (Letter, Email, SMS, WhatsApp, CallTask, Await). Each is its own Lambda function
 * with its own entry file (email.ts, sms.ts, …): the same handler around the state's own step (Await's parks the
 * journey and nothing else), and each bundle carries only its own channel's adapter, renderer parts and templates
 * (infra/aws/functions.ts), and each function only its own provider secret.
 */
import type { Context } from 'aws-lambda';
import { now } from '../shared/clock.js';
import { journeyCorrelation, lambdaHandler } from '../shared/lambda.js';
import { ChannelStepEvent } from '../shared/schemas/journey.js';

export type StepChannel = ChannelStepEvent['channel'];

/**
 * `run` is the state's own step (services/channel-step.ts for the sending states, services/await-step.ts for Await),
 * passed in by the entry file so that each bundle carries only its own.
 */
export function channelStep(channel: StepChannel, run: (ev: ChannelStepEvent, now: Date) => Promise<void>): (event: unknown, context?: Context) => Promise<void> {
  return lambdaHandler(async (event: unknown) => {
    const ev = ChannelStepEvent.parse(event);
    // The state machine binds each state to its own function; a mismatch is a wiring mistake, not input to act on.
    if (ev.channel !== channel) throw new Error(`the ${channel} function got a ${ev.channel} step`);
    await run(ev, now());
  }, journeyCorrelation);
}
