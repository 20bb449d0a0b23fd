// Turns AWS errors into messages that say what happened and what to do. The handler collects
// these and throws one TriggerError at the end, after doing everything it could, so Lambda's
// async retries and the on-failure queue keep the event.

export interface Failure {
  /** What failed, e.g. `SendCommand for database users`. */
  operation: string;
  errorName: string;
  errorMessage: string;
  advice: string;
}

const RETRY_NOTE =
  'The event will be retried by Lambda and then kept in the on-failure queue; redrive it from there once fixed.';

export function describeError(error: unknown): { errorName: string; errorMessage: string } {
  if (error instanceof Error) {
    // Network errors carry the useful part (ECONNREFUSED, ...) in `code`, not in `name`.
    const code = (error as { code?: unknown }).code;
    return { errorName: typeof code === 'string' && error.name === 'Error' ? code : error.name, errorMessage: error.message };
  }
  return { errorName: 'UnknownError', errorMessage: String(error) };
}

export function sendCommandAdvice(errorName: string, instanceId: string): string {
  switch (errorName) {
    case 'InvalidInstanceId':
      return `The Flyway host ${instanceId} is not registered with SSM or is offline (stopped, or its SSM agent is not running). Check the instance state and the SSM agent (Systems Manager, Fleet Manager).`;
    case 'InvalidDocument':
    case 'InvalidDocumentVersion':
      return 'The SSM document does not exist or cannot be used; re-apply the Terraform module.';
    case 'InvalidParameters':
      return 'The SSM document rejected the parameters; the trigger and the document come from different module versions. Re-apply the Terraform module.';
    case 'AccessDeniedException':
      return "The function's role may not send this document to this instance; re-apply the Terraform module.";
    default:
      return "Check the function's network access to SSM and the error above.";
  }
}

export function failure(operation: string, error: unknown, advice: string): Failure {
  return { operation, ...describeError(error), advice };
}

export class TriggerError extends Error {
  override readonly name = 'TriggerError';
  constructor(readonly failures: readonly Failure[]) {
    super(
      `${failures.length} operation(s) failed: ` +
        failures.map((f) => `${f.operation}: ${f.errorName}: ${f.errorMessage}. ${f.advice}`).join(' | ') +
        ` ${RETRY_NOTE}`,
    );
  }
}
