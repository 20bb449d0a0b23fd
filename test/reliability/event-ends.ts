// Where the events of a set of uploads ended, read from the harness's records (the invocations'
// log lines, Lambda's retries and on-failure destination, the commands the host ran): the
// "where the event went" column of RELIABILITY.md. Empty when they ended nowhere (a lost event).

import type { Delivery } from '../harness/harness';

export function eventOf(deliveries: readonly Delivery[], notified: boolean): string {
  if (!notified) return 'none sent: the bucket notifies the trigger of .sql keys only';
  const ends = new Set<string>();
  for (const { invocation, attempts, afterRetries, commands } of deliveries) {
    const messages = invocation.logs.map((line) => String(line.message));
    if (attempts.length > 1) ends.add(`trigger failed ${attempts.filter((attempt) => !attempt.ok).length} time(s); Lambda retried it`);
    if (afterRetries !== undefined) ends.add(afterRetries.destination === 'dropped' ? 'dropped by Lambda after its retries (no on-failure destination)' : `after Lambda's retries: the on-failure queue (message ${afterRetries.messageId ?? '?'})`);
    for (const command of commands) ends.add(`command ${command.status}${command.status === 'Success' ? '' : ' (EventBridge -> failure notification)'}`);
    if (messages.some((message) => message.startsWith('rejected: not a valid Flyway migration name'))) ends.add('rejected by the trigger: tagged, reported, no command');
    if (messages.some((message) => message.startsWith('ignored'))) ends.add('ignored by the trigger (logged)');
    if (messages.some((message) => message.startsWith('rejected: not an S3'))) ends.add('refused by the trigger as not an upload event (logged, not retried)');
    if (messages.some((message) => message.startsWith('configuration error: bucket is not mapped'))) ends.add('reported by the trigger as an unknown bucket (notification topic), not run');
  }
  return [...ends].join('; ');
}
