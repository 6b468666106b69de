/**
 * The journey ASL's `${…FunctionArn}` placeholders and the handlers behind them — what CDK wires with
 * definitionSubstitutions on AWS, the local runtime binds in-process.
 */
import { handler as decide } from '../../functions/decide/handler.js';
import * as steps from '../../functions/channel-step/handler.js';

export type JourneyHandler = (event: unknown) => Promise<unknown>;

export const JOURNEY_FUNCTIONS: Readonly<Record<string, JourneyHandler>> = {
  DecideFunctionArn: decide,
  SendEmailFunctionArn: steps.email,
  SendSmsFunctionArn: steps.sms,
  SendWhatsappFunctionArn: steps.whatsapp,
  SendLetterFunctionArn: steps.letter,
  CallTaskFunctionArn: steps.callTask,
  AwaitFunctionArn: steps.park,
};
