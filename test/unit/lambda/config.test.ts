import { ConfigError, parseConfig } from '../../../lambda/src/config';

const valid = {
  DOCUMENT_NAME: 'myproj-flyway-run',
  INSTANCE_ID: 'i-0123456789abcdef0',
  BUCKET_PARAMETER_PREFIX: '/myproj/flyway/buckets',
  COMMAND_LOG_GROUP: '/myproj/flyway/commands',
  COMMAND_TIMEOUT_SECONDS: '600',
  NOTIFICATION_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:myproj-flyway',
};

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('reads every variable Terraform sets', () => {
    const config = parseConfig(valid);
    expect(config).toEqual({
      documentName: 'myproj-flyway-run',
      instanceId: 'i-0123456789abcdef0',
      bucketParameterPrefix: '/myproj/flyway/buckets',
      commandLogGroup: '/myproj/flyway/commands',
      commandTimeoutSeconds: 600,
      notificationTopicArn: 'arn:aws:sns:eu-west-1:123456789012:myproj-flyway',
      startStoppedHost: false,
    });
  });

  it('reads START_STOPPED_HOST as true or false (absent: an always-on host), and refuses anything else', () => {
    expect(parseConfig({ ...valid, START_STOPPED_HOST: 'true' }).startStoppedHost).toBe(true);
    expect(parseConfig({ ...valid, START_STOPPED_HOST: 'false' }).startStoppedHost).toBe(false);
    expect(configError({ ...valid, START_STOPPED_HOST: 'yes' }).message).toContain('START_STOPPED_HOST');
  });

  it.each(Object.keys(valid))('names %s when it is missing or blank', (name) => {
    for (const value of [undefined, '', '  ']) {
      const error = configError({ ...valid, [name]: value });
      expect(error.message).toContain(name);
      expect(error.message).toMatch(/re-apply the module/);
    }
  });

  it.each([
    ['BUCKET_PARAMETER_PREFIX', 'myproj/flyway/buckets', /Parameter Store path/],
    ['BUCKET_PARAMETER_PREFIX', '/myproj/flyway/buckets/', /Parameter Store path/],
    ['BUCKET_PARAMETER_PREFIX', '/myproj flyway', /Parameter Store path/],
    ['INSTANCE_ID', 'my-host', /instance id/],
    ['DOCUMENT_NAME', 'x', /SSM document name/],
    ['COMMAND_LOG_GROUP', 'bad group name', /log group/],
    ['NOTIFICATION_TOPIC_ARN', 'myproj-flyway', /SNS topic ARN/],
    ['COMMAND_TIMEOUT_SECONDS', 'ten', /integer from 30 to 2592000/],
    ['COMMAND_TIMEOUT_SECONDS', '600.5', /integer/],
    ['COMMAND_TIMEOUT_SECONDS', '29', /integer/],
    ['COMMAND_TIMEOUT_SECONDS', '2592001', /integer/],
  ])('rejects %s=%s', (name, value, message) => {
    expect(configError({ ...valid, [name]: value }).message).toMatch(message);
  });

  it('accepts the bounds', () => {
    expect(parseConfig({ ...valid, COMMAND_TIMEOUT_SECONDS: '30' }).commandTimeoutSeconds).toBe(30);
    expect(parseConfig({ ...valid, COMMAND_TIMEOUT_SECONDS: '2592000' }).commandTimeoutSeconds).toBe(2592000);
    expect(parseConfig({ ...valid, INSTANCE_ID: 'mi-0123456789abcdef0' }).instanceId).toBe('mi-0123456789abcdef0');
  });
});
