import { buildComment, buildSendCommandInput, MAX_COMMENT_LENGTH, truncate } from '../../../lambda/src/command';
import type { Config } from '../../../lambda/src/config';
import type { DatabaseRun } from '../../../lambda/src/plan';
import type { UploadRecord } from '../../../lambda/src/s3-event';

const config: Config = {
  documentName: 'myproj-flyway-run',
  instanceId: 'i-0123456789abcdef0',
  bucketParameterPrefix: '/myproj/flyway/buckets',
  commandLogGroup: '/myproj/flyway/commands',
  commandTimeoutSeconds: 900,
  notificationTopicArn: 'arn:aws:sns:eu-west-1:123456789012:myproj-flyway',
  startStoppedHost: false,
};

function run(keys: string[], bucket = 'myproj-users-123'): DatabaseRun {
  const records: UploadRecord[] = keys.map((key) => ({ bucket, key, eventTime: '2026-11-21T05:00:00.000Z', eventName: 'ObjectCreated:Put' }));
  const newest = records[records.length - 1];
  if (newest === undefined) throw new Error('need a key');
  return { database: 'users', records, requestedAt: '2026-11-21T05:00:00.000Z', newest };
}

describe('buildSendCommandInput', () => {
  it('sends the project document to the host with validated parameters only', () => {
    expect(buildSendCommandInput(config, run(['migrations/V3__add_index.sql']))).toEqual({
      DocumentName: 'myproj-flyway-run',
      InstanceIds: ['i-0123456789abcdef0'],
      Parameters: { DatabaseKey: ['users'], Action: ['migrate'], RequestedAt: ['2026-11-21T05:00:00.000Z'] },
      Comment: 's3 upload myproj-users-123: V3__add_index.sql',
      TimeoutSeconds: 900,
      CloudWatchOutputConfig: { CloudWatchOutputEnabled: true, CloudWatchLogGroupName: '/myproj/flyway/commands' },
    });
  });

  it('never puts anything from the key in the parameters', () => {
    const input = buildSendCommandInput(config, run(['V1__users; DROP DATABASE x.sql']));
    expect(JSON.stringify(input.Parameters)).not.toMatch(/DROP|V1__/);
  });
});

describe('buildComment', () => {
  it('names the newest upload and counts the others', () => {
    expect(buildComment(run(['V1__a.sql', 'V2__b.sql', 'V3__c.sql']))).toBe('s3 upload myproj-users-123: V3__c.sql +2 more');
  });

  it('keeps to the 100-character limit, keeping the count', () => {
    const long = `V1__${'x'.repeat(200)}.sql`;
    const one = buildComment(run([long]));
    expect(one).toHaveLength(MAX_COMMENT_LENGTH);
    expect(one).toMatch(/^s3 upload myproj-users-123: V1__x+\.\.\.$/);
    const many = buildComment(run([...Array.from({ length: 11 }, (_, i) => `V${i}__a.sql`), long]));
    expect(many).toHaveLength(MAX_COMMENT_LENGTH);
    expect(many.endsWith('... +11 more')).toBe(true);
    const longBucket = buildComment(run([long], `b${'u'.repeat(62)}`));
    expect(longBucket.length).toBeLessThanOrEqual(MAX_COMMENT_LENGTH);
  });

  it('does not split a character when it truncates', () => {
    const comment = buildComment(run([`V1__${'🚀'.repeat(60)}.sql`]));
    expect(comment.length).toBeLessThanOrEqual(MAX_COMMENT_LENGTH);
    expect(comment).toMatch(/^s3 upload myproj-users-123: V1__(🚀)+\.\.\.$/u);
  });

  it('keeps letters of any script and replaces control and shell characters', () => {
    expect(buildComment(run(['V1__café 日本.sql']))).toBe('s3 upload myproj-users-123: V1__café 日本.sql');
    expect(buildComment(run(['V5__$(id);`id`\n|&>"\'\\.sql']))).toBe('s3 upload myproj-users-123: V5___(id)__id________.sql');
  });

  it('truncate leaves short text alone', () => {
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('abcdef', 5)).toBe('ab...');
  });
});
