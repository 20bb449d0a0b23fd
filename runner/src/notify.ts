// A tenant group's run that left tenants unmigrated tells the module's failure topic which ones,
// and why: Run Command's own failure event (the generic e-mail) cannot carry the command's output.
// The message is built here (pure); publishing never fails the pass, it is only logged.

import type { TenantOutcome } from '../../common/src/outcome';
import { awsErrorOf, type Ports } from './aws';
import { firstLine } from './failure';
import type { Say } from './output';

/** SNS subjects: at most 100 printable ASCII characters. */
const SUBJECT_LIMIT = 100;

export function groupFailureMessage(pipeline: string, group: string, tenants: readonly TenantOutcome[], todo: string): { subject: string; message: string } {
  const failed = tenants.filter((tenant) => tenant.status === 'failed');
  const notStarted = tenants.filter((tenant) => tenant.status === 'not_started');
  const migrated = tenants.filter((tenant) => tenant.status === 'success');
  const subject = `Flyway ${pipeline}: group ${group}: ${failed.length} tenant(s) failed, ${notStarted.length} not started`.slice(0, SUBJECT_LIMIT);
  const lines = [
    `The migrate run of the tenant group ${group} (pipeline ${pipeline}) left ${failed.length + notStarted.length} of ${tenants.length} tenant(s) unmigrated.`,
    '',
    ...failed.map((tenant) => `FAILED       ${tenant.tenant} (database ${tenant.database} on cluster ${tenant.cluster}): ${tenant.reason ?? 'no reason recorded'}`),
    ...notStarted.map((tenant) => `NOT STARTED  ${tenant.tenant}: ${tenant.reason ?? ''}`),
    migrated.length > 0 ? `migrated     ${migrated.map((tenant) => tenant.tenant).join(', ')}` : 'migrated     none',
    '',
    `What to do: ${todo}`,
  ];
  return { subject, message: `${lines.join('\n')}\n` };
}

export async function notifyGroupFailure(ports: Ports, topicArn: string, text: { subject: string; message: string }, say: Say): Promise<void> {
  try {
    await ports.publish(topicArn, text.subject, text.message);
    say(`told the failure topic which tenants were not migrated (${topicArn})`);
  } catch (error) {
    const { name, message } = awsErrorOf(error);
    say(`could not publish the tenants' failure to ${topicArn} (${name}: ${firstLine(message)}); the outcome record names them`);
  }
}
