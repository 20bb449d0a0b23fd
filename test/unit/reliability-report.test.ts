import { occurrences } from '../reliability/leaks';
import { reliabilityMarkdown, type CaseRow } from '../reliability/cases';

const row = (test: string, event: string, extra: Partial<CaseRow> = {}): CaseRow => ({
  test,
  category: 'bad input',
  input: `input of ${test}`,
  where: 'tag | log',
  says: 'it said\nso',
  database: 'schema at 1',
  event,
  ...extra,
});

describe('RELIABILITY.md', () => {
  const results = {
    testResults: [
      { name: '/repo/test/reliability/bad-inputs.test.ts', assertionResults: [{ fullName: 'a', status: 'passed' }, { fullName: 'b', status: 'failed' }, { fullName: 'c', status: 'passed' }] },
      { name: '/repo/test/unit/other.test.ts', assertionResults: [{ fullName: 'x', status: 'passed' }] },
    ],
  };

  it('takes pass or fail from jest, counts events that ended nowhere as lost, and says when no leak search ran', () => {
    const { markdown, totals } = reliabilityMarkdown([row('a', 'command Success'), row('b', '')], results, '2026-11-22T05:00:00Z');
    expect(totals).toEqual({ tried: 3, passed: 2, eventsLost: 1, passwordOccurrences: null });
    expect(markdown).toContain('| 3 | 2 | 1 | not searched yet |');
    expect(markdown).toContain('| input of a | tag \\| log | it said so | schema at 1 | command Success | yes |');
    expect(markdown).toContain('| input of b | tag \\| log | it said so | schema at 1 | **lost** | **failed** |');
    expect(markdown).toContain('- c (passed)');
  });

  it('adds up the password occurrences the leak cases found', () => {
    const { totals } = reliabilityMarkdown([row('a', 'x', { category: 'leak', passwordOccurrences: 0 }), row('c', 'y', { category: 'leak', passwordOccurrences: 2 })], results, '2026-11-22T05:00:00Z');
    expect(totals.passwordOccurrences).toBe(2);
  });
});

describe('the leak search', () => {
  it('finds a secret as it is, JSON-escaped and base64-encoded, and refuses to search for nothing', () => {
    const secret = 'p"w\\d';
    const text = `a ${secret} b ${JSON.stringify({ p: secret })} c ${Buffer.from(secret).toString('base64')}`;
    expect(occurrences(text, secret)).toBe(3);
    expect(occurrences('nothing here', secret)).toBe(0);
    expect(() => occurrences('x', '')).toThrow('empty secret');
  });
});
