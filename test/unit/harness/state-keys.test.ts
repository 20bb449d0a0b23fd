import { keysInState } from '../../harness/state-keys';

const POLICY = { Version: '2012-10-17', Statement: [{ Sid: 'A', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*', Resource: '*' }] };
const ARN = 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('keysInState', () => {
  it('reads a key a CloudFormation stack holds: its ARN from the output naming its Arn, its policy as text, whether it is retained', () => {
    const template = { Resources: { Key: { Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain', Properties: { KeyPolicy: POLICY, EnableKeyRotation: true, PendingWindowInDays: 30 } } }, Outputs: { KeyArn: { Value: { 'Fn::GetAtt': ['Key', 'Arn'] } } } };
    const [key, ...rest] = keysInState([{ address: 'module.pipeline.aws_cloudformation_stack.kms_key[0]', type: 'aws_cloudformation_stack', values: { template_body: JSON.stringify(template), outputs: { KeyArn: ARN } } }]);
    expect(rest).toEqual([]);
    expect(key).toEqual({ address: 'module.pipeline.aws_cloudformation_stack.kms_key[0]/Key', arn: ARN, policy: JSON.stringify(POLICY), rotation: true, deletionWindowDays: 30, retainedOnDelete: true });
  });

  it('leaves the ARN unknown in a plan (no outputs yet), and marks a key the stack would delete as not retained', () => {
    const template = { Resources: { Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: JSON.stringify(POLICY) } } }, Outputs: { KeyArn: { Value: { 'Fn::GetAtt': ['Key', 'Arn'] } } } };
    const [key] = keysInState([{ address: 's', type: 'aws_cloudformation_stack', values: { template_body: JSON.stringify(template) } }]);
    expect(key).toMatchObject({ arn: undefined, policy: JSON.stringify(POLICY), rotation: false, retainedOnDelete: false });
  });

  it('reads an aws_kms_key, and ignores stacks without a key and other resources', () => {
    const keys = keysInState([
      { address: 'k', type: 'aws_kms_key', values: { arn: ARN, policy: JSON.stringify(POLICY), enable_key_rotation: true, deletion_window_in_days: 30 } },
      { address: 'q', type: 'aws_cloudformation_stack', values: { template_body: JSON.stringify({ Resources: { Queue: { Type: 'AWS::SQS::Queue' } } }) } },
      { address: 'b', type: 'aws_s3_bucket', values: {} },
    ]);
    expect(keys).toEqual([{ address: 'k', arn: ARN, policy: JSON.stringify(POLICY), rotation: true, deletionWindowDays: 30, retainedOnDelete: false }]);
  });
});
