/**
 * The real SDK clients for Step Functions, EventBridge Scheduler and Lambda (Invoke), answered in-process by the local emulators
 * instead of over HTTP (the simulator: no sockets, no serialisation, no SigV4 per call). The handlers get them
 * through functions/shared/aws.ts `useAwsClients`, so their code is the same as on AWS and under `npm start`.
 */
import { ConflictException, ResourceNotFoundException, SchedulerClient, ValidationException } from '@aws-sdk/client-scheduler';
import { SFNClient } from '@aws-sdk/client-sfn';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { lambdaFunctionName } from './sfn/emulator.js';
import { type ApiError, type SchedulerEmulator } from './scheduler/emulator.js';
import type { StepFunctionsEmulator } from './sfn/index.js';

type Sendable = { send: (cmd: { constructor: { name: string }; input: Record<string, unknown> }) => Promise<unknown> };
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** An SFNClient whose commands run on the emulator (errors keep the API's names: TaskTimedOut, …). */
export function inProcessSfnClient(emu: StepFunctionsEmulator): SFNClient {
  const client = new SFNClient({ region: 'eu-west-1', credentials: CREDENTIALS });
  (client as unknown as Sendable).send = async (cmd) => {
    const op = cmd.constructor.name.replace(/Command$/, '');
    // the HTTP API receives JSON: the same copy semantics here
    return emu.api(op, JSON.parse(JSON.stringify(cmd.input)) as Record<string, unknown>);
  };
  return client;
}

/** A SchedulerClient on the emulator; errors are the SDK's exception classes, as the real client throws them. */
export function inProcessSchedulerClient(emu: SchedulerEmulator): SchedulerClient {
  const client = new SchedulerClient({ region: 'eu-west-1', credentials: CREDENTIALS });
  (client as unknown as Sendable).send = async (cmd) => {
    const op = cmd.constructor.name.replace(/Command$/, '') as 'CreateSchedule' | 'GetSchedule' | 'DeleteSchedule';
    try {
      return emu.call(op, JSON.parse(JSON.stringify(cmd.input)) as Record<string, unknown>);
    } catch (err) {
      const e = err as ApiError;
      const opts = { message: e.message, Message: e.message, $metadata: {} };
      if (e.code === 'ConflictException') throw new ConflictException(opts);
      if (e.code === 'ResourceNotFoundException') throw new ResourceNotFoundException(opts);
      if (e.code === 'ValidationException') throw new ValidationException(opts);
      throw err;
    }
  };
  return client;
}

/**
 * A LambdaClient whose Invoke runs the handler registered under the function name, in-process (RequestResponse, as
 * the code invokes): the result as its Payload, a thrown error as `FunctionError: 'Unhandled'`, as Lambda answers.
 */
export function inProcessLambdaClient(handlers: ReadonlyMap<string, (payload: unknown) => Promise<unknown>>): LambdaClient {
  const client = new LambdaClient({ region: 'eu-west-1', credentials: CREDENTIALS });
  (client as unknown as Sendable).send = async (cmd) => {
    const { FunctionName, Payload } = cmd.input as { FunctionName: string; Payload?: Uint8Array };
    const handler = handlers.get(lambdaFunctionName(FunctionName));
    if (!handler) throw Object.assign(new Error(`Function not found: ${FunctionName}`), { name: 'ResourceNotFoundException' });
    const encode = (v: unknown) => new TextEncoder().encode(v === undefined ? 'null' : JSON.stringify(v));
    try {
      return { StatusCode: 200, Payload: encode(await handler(Payload ? JSON.parse(new TextDecoder().decode(Payload)) : {})) };
    } catch (err) {
      return { StatusCode: 200, FunctionError: 'Unhandled', Payload: encode({ errorType: (err as Error)?.name ?? 'Error', errorMessage: String((err as Error)?.message ?? err) }) };
    }
  };
  return client;
}
