// The trigger's view of the host's commands and its state-change events (pure).

/** One command invocation on the host, as ListCommandInvocations reports it. */
export interface HostInvocation {
  commandId: string;
  status: string;
  statusDetails: string;
}

/**
 * Invocations still waiting for the host: not yet delivered (Pending, Delayed) or cut off while
 * running (InProgress on a host that stopped). Any of them means the host must run again.
 */
export function waitingForHost(invocations: readonly HostInvocation[]): HostInvocation[] {
  return invocations.filter((invocation) => ['Pending', 'InProgress', 'Delayed'].includes(invocation.status) || invocation.statusDetails === 'Delayed');
}

/** The instance and state of an EventBridge "EC2 Instance State-change Notification", or undefined for any other event. */
export function parseInstanceStateChange(event: unknown): { instanceId: string; state: string } | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const { source, 'detail-type': detailType, detail } = event as Record<string, unknown>;
  if (source !== 'aws.ec2' || detailType !== 'EC2 Instance State-change Notification') return undefined;
  if (typeof detail !== 'object' || detail === null) return undefined;
  const { 'instance-id': instanceId, state } = detail as Record<string, unknown>;
  if (typeof instanceId !== 'string' || typeof state !== 'string') return undefined;
  return { instanceId, state };
}

/** The InvokedAfter filter's value as SSM documents it (2021-07-07T00:00:00Z: no fraction of a second). */
export function invokedAfterValue(after: Date): string {
  return after.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
