import { eventTypeMatches, keyMatches, lambdaTargets, type NotificationConfiguration } from '../../harness/s3-notifications';

const FN = 'arn:aws:lambda:eu-central-1:123456789012:function:demo-flyway-trigger';

describe('eventTypeMatches', () => {
  it.each([
    ['s3:ObjectCreated:*', 'ObjectCreated:Put', true],
    ['s3:ObjectCreated:*', 'ObjectCreated:CompleteMultipartUpload', true],
    ['s3:ObjectCreated:Put', 'ObjectCreated:Put', true],
    ['s3:ObjectCreated:Post', 'ObjectCreated:Put', false],
    ['s3:ObjectRemoved:*', 'ObjectCreated:Put', false],
  ])('%s vs %s', (pattern, event, expected) => {
    expect(eventTypeMatches(pattern, event)).toBe(expected);
  });
});

describe('keyMatches', () => {
  it('applies prefix and suffix, whatever the case of the rule name', () => {
    expect(keyMatches([{ Name: 'suffix', Value: '.sql' }], 'V1__a.sql')).toBe(true);
    expect(keyMatches([{ Name: 'Suffix', Value: '.sql' }], 'V1__a.txt')).toBe(false);
    expect(keyMatches([{ Name: 'Prefix', Value: 'db/' }, { Name: 'Suffix', Value: '.sql' }], 'db/V1__a.sql')).toBe(true);
    expect(keyMatches([{ Name: 'Prefix', Value: 'db/' }, { Name: 'Suffix', Value: '.sql' }], 'V1__a.sql')).toBe(false);
    expect(keyMatches([], 'anything')).toBe(true);
  });

  it('refuses a rule it does not know instead of guessing', () => {
    expect(() => keyMatches([{ Name: 'regex', Value: '.*' }], 'x')).toThrow(/unknown S3 notification filter rule/);
  });
});

describe('lambdaTargets', () => {
  const configuration: NotificationConfiguration = {
    LambdaFunctionConfigurations: [
      { Id: 'sql', LambdaFunctionArn: FN, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.sql' }] } } },
      { Id: 'removed', LambdaFunctionArn: `${FN}-2`, Events: ['s3:ObjectRemoved:*'] },
    ],
  };

  it('returns the function and configuration id for a matching upload', () => {
    expect(lambdaTargets(configuration, 'ObjectCreated:Put', 'V1__a.sql')).toEqual([{ configurationId: 'sql', functionArn: FN }]);
  });

  it('returns nothing when no configuration matches (S3 sends no event)', () => {
    expect(lambdaTargets(configuration, 'ObjectCreated:Put', 'README.md')).toEqual([]);
    expect(lambdaTargets({}, 'ObjectCreated:Put', 'V1__a.sql')).toEqual([]);
  });
});

describe('lambdaTargets with one configuration per case variant of .sql (modules/database-bucket)', () => {
  // S3 compares suffix filters with the key as strings, case-sensitively; the harness must too, or
  // it would deliver events for keys that S3 never notifies about.
  const suffixes = ['.sql', '.sqL', '.sQl', '.sQL', '.Sql', '.SqL', '.SQl', '.SQL'];
  const configuration: NotificationConfiguration = {
    LambdaFunctionConfigurations: suffixes.map((suffix, index) => ({
      Id: `tf-s3-lambda-${index}`,
      LambdaFunctionArn: FN,
      Events: ['s3:ObjectCreated:*'],
      Filter: { Key: { FilterRules: [{ Name: 'Suffix', Value: suffix }] } },
    })),
  };
  const matching = (key: string) => lambdaTargets(configuration, 'ObjectCreated:Put', key).map((target) => target.configurationId);

  it('matches V1__x.SQL by the .SQL configuration only', () => {
    expect(matching('V1__x.SQL')).toEqual([`tf-s3-lambda-${suffixes.indexOf('.SQL')}`]);
  });

  it('matches every case variant by exactly its own configuration', () => {
    for (const [index, suffix] of suffixes.entries()) {
      expect(matching(`db/V1__x${suffix}`)).toEqual([`tf-s3-lambda-${index}`]);
    }
  });

  it('matches README.md, V1__x.sql.bak and the outcome record by no configuration', () => {
    expect(matching('README.md')).toEqual([]);
    expect(matching('V1__x.sql.bak')).toEqual([]);
    expect(matching('.flyway/outcome.json')).toEqual([]);
  });
});
