// The least-privilege checks of the reliability suite can fail: a grant broader than the probe's
// resource is Allowed, a scoped one is refused, and granted actions are read from every Allow.
import { AppliedIam } from '../harness/iam-check';
import { decideProbes, grantedActions, probe } from '../reliability/least-privilege';

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/p-trigger`;
const INSTANCE = `arn:aws:ec2:eu-central-1:${ACCOUNT}:instance/i-0aaaaaaaaaaaaaaaa`;
const OTHER = `arn:aws:ec2:eu-central-1:${ACCOUNT}:instance/i-0bbbbbbbbbbbbbbbb`;

const iamWith = (statements: object[]) =>
  AppliedIam.fromState(
    {
      values: {
        root_module: {
          resources: [
            { address: 'aws_iam_role.t', type: 'aws_iam_role', values: { name: 'p-trigger', arn: ROLE } },
            { address: 'aws_iam_role_policy.t', type: 'aws_iam_role_policy', values: { role: 'p-trigger', name: 'p-trigger', policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }) } },
          ],
        },
      },
    } as unknown as Parameters<typeof AppliedIam.fromState>[0],
    'eu-central-1',
  );

describe('least privilege (reliability suite)', () => {
  const startOther = probe('start another instance', 'ec2:StartInstances', OTHER);

  it('a probe the role is scoped away from is refused', async () => {
    const [decided] = await decideProbes(iamWith([{ Effect: 'Allow', Action: 'ec2:StartInstances', Resource: INSTANCE }]), ROLE, [startOther]);
    expect(decided?.decision).toBe('ImplicitlyDenied');
  });

  it('the same probe is Allowed when the grant is broader (what the test reports as a failure)', async () => {
    const [decided] = await decideProbes(iamWith([{ Effect: 'Allow', Action: 'ec2:StartInstances', Resource: '*' }]), ROLE, [startOther]);
    expect(decided?.decision).toBe('Allowed');
  });

  it('granted actions come from every Allow statement, not from Deny ones', () => {
    const policies = [{ name: 'p', policy: { Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 'ssm:SendCommand'] }, { Effect: 'Allow', Action: 'sqs:SendMessage' }, { Effect: 'Deny', Action: 's3:*' }] } }];
    expect(grantedActions(policies)).toEqual(['s3:GetObject', 'sqs:SendMessage', 'ssm:SendCommand']);
  });
});
