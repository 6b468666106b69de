/** Entry of the SMS journey state's Lambda function (see step.ts). */
import { runChannelStep } from '../services/channel-step.js';
import { channelStep } from './step.js';

export const handler = channelStep('sms', runChannelStep);
