/** Error helpers shared by workflows and the UI: a message a person can act on, and cancellation. */

/** An error that already says what the person should do next. */
export class UserFacingError extends Error {
  constructor(message: string, public readonly nextStep?: string) {
    super(message);
    this.name = 'UserFacingError';
  }
}

export class CancelledError extends Error {
  constructor(message = 'The operation was cancelled.') {
    super(message);
    this.name = 'AbortError';
  }
}

export function isCancellation(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === 'AbortError' || error.name === 'CancellationError' || error instanceof CancelledError;
}

/** Message and next step for any thrown value (errors from src/azure carry `nextStep`). */
export function describeError(error: unknown): { message: string; nextStep?: string } {
  if (error instanceof Error) {
    const nextStep = (error as { nextStep?: unknown }).nextStep;
    return { message: error.message || error.name, nextStep: typeof nextStep === 'string' && nextStep ? nextStep : undefined };
  }
  return { message: String(error) };
}
