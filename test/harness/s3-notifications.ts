// Which Lambda functions S3 notifies for an event, from the bucket's notification configuration
// (GetBucketNotificationConfiguration), as S3 decides it: event type (with `*` wildcards) and
// the key's prefix / suffix filter rules. Pure.

export interface FilterRule {
  Name?: string;
  Value?: string;
}

export interface LambdaFunctionConfiguration {
  Id?: string;
  LambdaFunctionArn?: string;
  Events?: string[];
  Filter?: { Key?: { FilterRules?: FilterRule[] } };
}

export interface NotificationConfiguration {
  LambdaFunctionConfigurations?: LambdaFunctionConfiguration[];
}

export interface LambdaTarget {
  configurationId: string;
  functionArn: string;
}

/** `s3:ObjectCreated:*` matches `ObjectCreated:Put`; an exact name matches itself. */
export function eventTypeMatches(pattern: string, eventName: string): boolean {
  const wanted = pattern.replace(/^s3:/, '');
  if (wanted.endsWith(':*')) return eventName.startsWith(wanted.slice(0, -1));
  return wanted === eventName;
}

/** Prefix and suffix rules, all of which must hold. (AWS spells the names Prefix/Suffix, the emulator prefix/suffix.) */
export function keyMatches(rules: readonly FilterRule[], key: string): boolean {
  return rules.every((rule) => {
    const value = rule.Value ?? '';
    switch ((rule.Name ?? '').toLowerCase()) {
      case 'prefix':
        return key.startsWith(value);
      case 'suffix':
        return key.endsWith(value);
      default:
        throw new Error(`unknown S3 notification filter rule ${JSON.stringify(rule.Name)}`);
    }
  });
}

export function lambdaTargets(configuration: NotificationConfiguration, eventName: string, key: string): LambdaTarget[] {
  return (configuration.LambdaFunctionConfigurations ?? [])
    .filter((config) => (config.Events ?? []).some((pattern) => eventTypeMatches(pattern, eventName)))
    .filter((config) => keyMatches(config.Filter?.Key?.FilterRules ?? [], key))
    .map((config) => ({ configurationId: config.Id ?? '', functionArn: config.LambdaFunctionArn ?? '' }))
    .filter((target) => target.functionArn !== '');
}
