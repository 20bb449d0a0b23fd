// The host's side of an invocation: before commands are sent, make sure the sleeping host is
// running or on its way (StartInstances, waiting a bounded time while it stops); and when the host
// has stopped (EventBridge's state-change event), start it again if commands are still waiting
// for it, which closes the race of a command sent while the host was shutting down.

import type { Config } from './config';
import type { Ports } from './aws';
import type { Logger } from './log';
import { waitingForHost } from './host';
import { bringHostUp, type Clock, realClock } from '../../common/src/host-start';
import { describeError, failure, type Failure } from './failures';

/** Resolves when commands may be sent (the host runs, boots or was just started), or to the failure that keeps the event for a retry. */
export async function ensureHostRunning(config: Config, ports: Ports, log: Logger, clock: Clock = realClock): Promise<Failure | undefined> {
  const fields = { instanceId: config.instanceId };
  const { decision, answer } = await bringHostUp(config.instanceId, (id) => ports.startInstance(id), (reason) => log.info('host is stopping; waiting to start it again', { ...fields, reason }), clock);
  if (decision.kind === 'fail') {
    log.error('host cannot take commands; event kept for retry', { ...fields, reason: decision.reason, advice: decision.advice });
    const error = Object.assign(new Error(decision.reason), { name: answer.kind === 'refused' ? answer.errorName : 'HostNotStartable' });
    return failure(`StartInstances ${config.instanceId}`, error, decision.advice);
  }
  if (decision.host === 'started') log.info('host was stopped; started it, the commands wait in Run Command until its agent is online', fields);
  if (decision.host === 'booting') log.info('host is booting; the commands wait in Run Command until its agent is online', fields);
  return undefined;
}

export interface WakeResult {
  waiting: string[];
  started: boolean;
}

/** On "the host stopped": start it again when Run Command still holds commands for it. */
export async function wakeForWaitingCommands(config: Config, ports: Ports, log: Logger, clock: Clock = realClock): Promise<{ result: WakeResult; failure?: Failure }> {
  // Only commands that could still be delivered matter: older ones have timed out by now.
  const after = new Date(clock.now() - config.commandTimeoutSeconds * 1000);
  let waiting: string[];
  try {
    waiting = waitingForHost(await ports.listInvocations(config.instanceId, after)).map((invocation) => invocation.commandId);
  } catch (error) {
    log.error('cannot list the commands waiting for the host; event kept for retry', { instanceId: config.instanceId, ...describeError(error) });
    return {
      result: { waiting: [], started: false },
      failure: failure(`ListCommandInvocations ${config.instanceId}`, error, "Check the function's ssm:ListCommandInvocations permission; Lambda retries the event."),
    };
  }
  if (waiting.length === 0) {
    log.info('host stopped with no command waiting for it', { instanceId: config.instanceId });
    return { result: { waiting, started: false } };
  }
  log.info('host stopped while commands were waiting for it; starting it', { instanceId: config.instanceId, commandIds: waiting });
  const failed = await ensureHostRunning(config, ports, log, clock);
  return { result: { waiting, started: failed === undefined }, ...(failed === undefined ? {} : { failure: failed }) };
}
