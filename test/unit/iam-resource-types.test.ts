import { resourceTypeProblems } from '../support/iam-resource-types';

const policy = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

describe('resourceTypeProblems (AWS\'s authorization reference data)', () => {
  it('accepts resources of the types the actions support, wildcards included', async () => {
    expect(
      await resourceTypeProblems(
        policy([
          { Sid: 'A', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/.flyway/outcome.json'] },
          { Sid: 'B', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::bucket' },
          { Sid: 'C', Effect: 'Allow', Action: ['ssm:UpdateInstanceInformation'], Resource: 'arn:aws:ec2:eu-central-1:123456789012:instance/*' },
          { Sid: 'D', Effect: 'Allow', Action: ['ssm:ListAssociations', 'logs:DescribeLogGroups'], Resource: '*' },
        ]),
        'p',
      ),
    ).toEqual([]);
  });

  it('finds an action scoped to a resource type it does not support (the ListAssociations and DescribeLogGroups defects)', async () => {
    const problems = await resourceTypeProblems(
      policy([
        { Sid: 'Agent', Effect: 'Allow', Action: ['ssm:ListAssociations'], Resource: 'arn:aws:ec2:eu-central-1:123456789012:instance/*' },
        { Sid: 'Logs', Effect: 'Allow', Action: ['logs:DescribeLogGroups'], Resource: 'arn:aws:logs:eu-central-1:123456789012:log-group:*' },
        { Sid: 'Bucket', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: 'arn:aws:s3:::bucket/*' },
      ]),
      'p',
    );
    expect(problems).toEqual([
      'p Agent: ssm:ListAssociations supports no resource types, so only "*" grants it, not arn:aws:ec2:eu-central-1:123456789012:instance/*',
      'p Logs: logs:DescribeLogGroups supports no resource types, so only "*" grants it, not arn:aws:logs:eu-central-1:123456789012:log-group:*',
      expect.stringMatching(/^p Bucket: arn:aws:s3:::bucket\/\* is none of the resource types of s3:ListBucket/),
    ]);
  });

  it('refuses actions that do not exist and wildcard actions', async () => {
    expect(await resourceTypeProblems(policy([{ Effect: 'Allow', Action: ['ssm:SendCommands', 's3:Get*'], Resource: '*' }]), 'p')).toEqual([
      'p : ssm:SendCommands is not an IAM action',
      'p : s3:Get* is a wildcard action',
    ]);
  });
});

describe('resource patterns against resource types', () => {
  it('knows that log-group:NAME:* names the log streams PutLogEvents is scoped to', async () => {
    expect(
      await resourceTypeProblems(
        policy([{ Sid: 'L', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: 'arn:aws:logs:eu-central-1:123456789012:log-group:/aws/lambda/f:*' }]),
        'p',
      ),
    ).toEqual([]);
  });
});
