/** Errors raised while executing states, and errors returned by the Step Functions API. */

/**
 * A terminal error: fails the execution at once; Retry and Catch (even States.ALL) never see it,
 * like States.Runtime on AWS (a missing path, a bad TimeoutSecondsPath value, …).
 */
export class TerminalError extends Error {
  constructor(
    readonly error: string,
    readonly detail: string,
  ) {
    super(`${error}: ${detail}`);
    this.name = 'TerminalError';
  }
}

export function runtimeError(cause: string): TerminalError {
  return new TerminalError('States.Runtime', cause);
}

/** A Step Functions API error: HTTP 400 with body {"__type": code, "message": message}. */
export class SfnApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/** Raised by createStateMachine for a definition the emulator cannot run (names the state and field). */
export class DefinitionError extends Error {
  override name = 'InvalidDefinition';
}
