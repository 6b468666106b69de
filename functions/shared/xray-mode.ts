/**
 * Imported by tracer.ts before the Powertools Tracer (and with it the X-Ray SDK) is loaded. Outside Lambda
 * (no AWS_EXECUTION_ENV: the local runtime, the tests, the bench) the Tracer is disabled anyway, and the X-Ray SDK's
 * automatic mode would still install its async_hooks-based context (cls-hooked) for the whole process, which slows
 * every promise — measured: DynamoDB round trips of the local runtime ≈ 1.5× slower. Manual mode installs nothing.
 * On Lambda nothing changes: automatic mode, as Powertools expects.
 */
if (!process.env.AWS_EXECUTION_ENV) process.env.AWS_XRAY_MANUAL_MODE ??= 'true';

export {};
