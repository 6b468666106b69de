/** Durable local Step Functions emulator: see emulator.ts for the model and README notes there. */
export { StepFunctionsEmulator, lambdaFunctionName, type LambdaHandler, type EmulatorOptions, type EmulatorStats } from './emulator.js';
export { DefinitionError, SfnApiError } from './errors.js';
export { compileDefinition, substitute } from './definition.js';
