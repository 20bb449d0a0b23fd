// Whether the Flyway host can take a command now, decided from what ec2:StartInstances answered
// (pure), and the bounded loop that asks until it can (the trigger and the aurora-flyway client
// both start a sleeping host before they send a command). StartInstances is the only EC2 call the trigger makes: on a running or booting instance
// it changes nothing and reports the state, on a stopped one it starts it, and on an instance that
// is stopping (or terminated) AWS refuses it with IncorrectInstanceState. A command sent to a
// stopped or booting host waits in Run Command (Pending, then Delayed) until its SSM agent is
// online, for up to the command's delivery timeout, so "send" is right for every startable state.

/** What StartInstances answered: the instance's state before and after, or its error. */
export type StartAnswer = { kind: 'state'; previous: string; current: string } | { kind: 'refused'; errorName: string; errorMessage: string };

export type HostDecision =
  | { kind: 'send'; host: 'running' | 'booting' | 'started' }
  | { kind: 'wait'; reason: string }
  | { kind: 'fail'; reason: string; advice: string };

/** How long the trigger waits for a stopping host to be startable (the function times out at 60 s). */
export const START_WAIT_BOUND_MS = 40_000;
/** Pause between two StartInstances calls while the host is stopping. */
export const START_RETRY_PAUSE_MS = 5_000;

const NOT_STARTABLE = 'IncorrectInstanceState';

export function decideHost(answer: StartAnswer, instanceId: string, elapsedMs: number, boundMs = START_WAIT_BOUND_MS): HostDecision {
  if (answer.kind === 'state') {
    if (answer.previous === 'running') return { kind: 'send', host: 'running' };
    if (answer.previous === 'pending') return { kind: 'send', host: 'booting' };
    if (answer.previous === 'stopped') return { kind: 'send', host: 'started' };
    if (answer.previous === 'stopping') return retryOrFail(`the host ${instanceId} is stopping`, instanceId, elapsedMs, boundMs);
    return {
      kind: 'fail',
      reason: `the host ${instanceId} is ${answer.previous}`,
      advice: `A ${answer.previous} instance cannot take commands: run terraform apply, which replaces it, then re-drive the event (aurora-flyway replay).`,
    };
  }
  if (answer.errorName === NOT_STARTABLE) return retryOrFail(`the host ${instanceId} cannot be started yet (${answer.errorMessage})`, instanceId, elapsedMs, boundMs);
  return {
    kind: 'fail',
    reason: `StartInstances on ${instanceId} failed: ${answer.errorName}: ${answer.errorMessage}`,
    advice: startAdvice(answer.errorName, instanceId),
  };
}

function retryOrFail(reason: string, instanceId: string, elapsedMs: number, boundMs: number): HostDecision {
  if (elapsedMs + START_RETRY_PAUSE_MS <= boundMs) return { kind: 'wait', reason };
  return {
    kind: 'fail',
    reason: `${reason}, still after ${Math.round(elapsedMs / 1000)} s`,
    advice: `Lambda retries the event in a minute or two, when the host has stopped and can be started. If ${instanceId} is terminated, run terraform apply to replace it, then re-drive the event from the on-failure queue (aurora-flyway replay).`,
  };
}

function startAdvice(errorName: string, instanceId: string): string {
  switch (errorName) {
    case 'UnauthorizedOperation':
    case 'AccessDeniedException':
      return `The function's role may not start ${instanceId} (ec2:StartInstances); re-apply the Terraform module.`;
    case 'InvalidInstanceID.NotFound':
    case 'InvalidInstanceID.Malformed':
      return `The instance ${instanceId} does not exist; re-apply the Terraform module, which creates the host and configures the function.`;
    case 'IncorrectSpotRequestState':
    case 'InsufficientInstanceCapacity':
      return 'EC2 cannot start the instance right now; Lambda retries the event. If this persists, change instance_type.';
    default:
      return "Check the function's network access to EC2 and the error above; Lambda retries the event.";
  }
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Asks EC2 to start the host until the answer allows sending (or fails), pausing while it stops.
 * `start` is StartInstances; its errors become refusals, decided like any answer.
 */
export async function bringHostUp(
  instanceId: string,
  start: (instanceId: string) => Promise<{ previous: string; current: string }>,
  onWait: (reason: string) => void,
  clock: Clock = realClock,
): Promise<{ decision: Exclude<HostDecision, { kind: 'wait' }>; answer: StartAnswer }> {
  const began = clock.now();
  for (;;) {
    let answer: StartAnswer;
    try {
      answer = { kind: 'state', ...(await start(instanceId)) };
    } catch (error) {
      const { name, message } = error instanceof Error ? error : { name: 'UnknownError', message: String(error) };
      const code = (error as { code?: unknown }).code;
      answer = { kind: 'refused', errorName: typeof code === 'string' && name === 'Error' ? code : name, errorMessage: message };
    }
    const decision = decideHost(answer, instanceId, clock.now() - began);
    if (decision.kind !== 'wait') return { decision, answer };
    onWait(decision.reason);
    await clock.sleep(START_RETRY_PAUSE_MS);
  }
}
