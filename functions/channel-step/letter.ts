/** Entry of the Letter journey state's Lambda function (see step.ts). */
import { runChannelStep } from '../services/channel-step.js';
import { channelStep } from './step.js';

export const handler = channelStep('letter', runChannelStep);
