/** Entry of the Await journey state's Lambda function (see step.ts). */
import { runAwaitStep } from '../services/await-step.js';
import { channelStep } from './step.js';

export const handler = channelStep('await', runAwaitStep);
