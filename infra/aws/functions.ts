/**
 * Every Lambda function of the stack with its configured memory — plain data (no CDK imports), read by the
 * bench to price invocations at each function's memory.
 */
export type FunctionName = 'Api' | 'Webhooks' | 'Decide' | 'SendEmail' | 'SendSms' | 'SendWhatsapp' | 'SendLetter' | 'CallTask' | 'Await' | 'Counters';

export const FUNCTIONS: Record<FunctionName, { memorySize: number }> = {
  Api: { memorySize: 1024 },
  Webhooks: { memorySize: 1024 },
  Decide: { memorySize: 1024 },
  SendEmail: { memorySize: 512 },
  SendSms: { memorySize: 512 },
  SendWhatsapp: { memorySize: 512 },
  SendLetter: { memorySize: 1536 },
  CallTask: { memorySize: 512 },
  Await: { memorySize: 512 },
  Counters: { memorySize: 512 },
};
