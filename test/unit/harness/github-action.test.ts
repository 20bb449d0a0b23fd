import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { condition, parseAction, planSteps, substitute } from '../../harness/github-action';
import { PROJECT_ROOT } from '../../support/terraform';

const action = parseAction(readFileSync(join(PROJECT_ROOT, 'action.yml'), 'utf8'));
const required = { 'name-prefix': 'shop', database: 'users', 'aws-region': 'eu-central-1' };

describe("reading the repository's action.yml as a GitHub runner does", () => {
  it('skips the credentials step without a role and runs it with one, the role and region passed on', () => {
    const uses = (given: Record<string, string>) => planSteps(action, given).filter((step) => step.kind === 'uses');
    expect(uses(required).map((step) => [step.uses, step.runs])).toEqual([
      ['actions/setup-node@v4', true],
      ['aws-actions/configure-aws-credentials@v4', false],
    ]);
    const withRole = uses({ ...required, 'role-to-assume': 'arn:aws:iam::123456789012:role/shop-migrations' });
    expect(withRole[1]).toEqual({
      kind: 'uses',
      uses: 'aws-actions/configure-aws-credentials@v4',
      with: { 'role-to-assume': 'arn:aws:iam::123456789012:role/shop-migrations', 'aws-region': 'eu-central-1' },
      runs: true,
    });
  });

  it("gives the push step the inputs through env, defaults filled in, and never splices them into the script", () => {
    const push = planSteps(action, required).find((step) => step.kind === 'run' && step.name === 'aurora-flyway push');
    expect(push).toMatchObject({ env: { NAME_PREFIX: 'shop', DATABASE: 'users', DIRECTORY: '', TIMEOUT: '900', STRICT: 'false', AWS_REGION: 'eu-central-1' } });
    // A database key or directory with shell syntax stays data: the script text has no input in it.
    const hostile = planSteps(action, { ...required, directory: '$(touch /tmp/pwned)' }).filter((step) => step.kind === 'run');
    for (const step of hostile) expect(step.kind === 'run' && step.script.includes('pwned')).toBe(false);
  });

  it('refuses what it does not read, and a missing required input, as GitHub does', () => {
    expect(() => planSteps(action, { database: 'users', 'aws-region': 'eu-central-1' })).toThrow('Input required and not supplied: name-prefix');
    expect(() => planSteps(action, { ...required, nosuch: 'x' })).toThrow('the action has no input nosuch');
    expect(() => substitute('${{ github.token }}', {})).toThrow('is not read here');
    expect(() => condition("inputs.strict == 'true'", { strict: 'true' })).toThrow('is not read here');
    expect(condition("${{ inputs.role != '' }}", { role: '' })).toBe(false);
  });
});
