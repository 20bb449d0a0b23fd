import {
  DEFAULT_TIMEOUT_SECONDS,
  InvalidDocument,
  InvalidParameters,
  parseCommandDocument,
  renderCommand,
  resolveParameters,
  substitute,
  type CommandDocument,
} from '../../harness/ssm-document';

// The module's document (modules/flyway-host/main.tf), with a short script.
const DOCUMENT: CommandDocument = {
  schemaVersion: '2.2',
  parameters: {
    DatabaseKey: { type: 'String', allowedPattern: '^[a-z][a-z0-9_]{0,62}$' },
    Action: { type: 'String', allowedValues: ['migrate', 'info', 'validate', 'repair'], default: 'migrate' },
    RequestedAt: { type: 'String', allowedPattern: '^(|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z)$', default: '' },
  },
  mainSteps: [
    {
      action: 'aws:runShellScript',
      name: 'flywayRunner',
      inputs: {
        timeoutSeconds: '3600',
        runCommand: [
          '#!/bin/bash',
          'runner_dir="${FLYWAY_RUNNER_INSTALL_DIR:-/opt/flyway-runner}"',
          "requested_at='{{ RequestedAt }}'",
          "exec runner --database '{{ DatabaseKey }}' --action '{{Action}}' ${requested_at:+--requested-at \"$requested_at\"}",
        ],
      },
    },
  ],
};

describe('resolveParameters (what SendCommand checks)', () => {
  it('takes the given values and fills in defaults', () => {
    expect(resolveParameters(DOCUMENT, { DatabaseKey: ['users'] })).toEqual({ DatabaseKey: 'users', Action: 'migrate', RequestedAt: '' });
    expect(resolveParameters(DOCUMENT, { DatabaseKey: ['users'], Action: ['info'], RequestedAt: ['2026-11-21T05:00:00.000Z'] })).toEqual({
      DatabaseKey: 'users',
      Action: 'info',
      RequestedAt: '2026-11-21T05:00:00.000Z',
    });
  });

  it.each([
    [{ DatabaseKey: ["users'; rm -rf /"] }, /does not match the allowed pattern/],
    [{ DatabaseKey: ['users'], Action: ['clean'] }, /not one of the allowed values: migrate, info, validate, repair/],
    [{ DatabaseKey: ['users'], RequestedAt: ['yesterday'] }, /RequestedAt.*allowed pattern/],
    [{}, /"DatabaseKey" is required/],
    [{ DatabaseKey: ['users'], Extra: ['x'] }, /"Extra" is not defined/],
    [{ DatabaseKey: ['users', 'products'] }, /exactly one value, got 2/],
  ])('rejects %j', (given, message) => {
    expect(() => resolveParameters(DOCUMENT, given)).toThrow(InvalidParameters);
    expect(() => resolveParameters(DOCUMENT, given)).toThrow(message);
  });

  it('supports String parameters only', () => {
    const document = { ...DOCUMENT, parameters: { Names: { type: 'StringList' } } };
    expect(() => resolveParameters(document, {})).toThrow(InvalidDocument);
  });
});

describe('substitute (what the agent does)', () => {
  it('replaces {{ Name }} and {{Name}}, and leaves shell braces alone', () => {
    expect(substitute("a='{{ A }}' b={{B}} c=${C:-x} d={{  A  }}", { A: '1', B: '2' })).toBe("a='1' b=2 c=${C:-x} d=1");
  });

  it('refuses a placeholder that is no parameter', () => {
    expect(() => substitute('{{ ssm:/secret }}', {})).toThrow(/not one of its parameters/);
  });
});

describe('renderCommand', () => {
  it('gives the script the agent runs, lines joined with newlines, and the step timeout', () => {
    const rendered = renderCommand(DOCUMENT, { DatabaseKey: ['users'], Action: ['migrate'], RequestedAt: ['2026-11-21T05:00:00.000Z'] });
    expect(rendered.steps).toEqual([
      {
        name: 'flywayRunner',
        timeoutSeconds: 3600,
        script:
          '#!/bin/bash\n' +
          'runner_dir="${FLYWAY_RUNNER_INSTALL_DIR:-/opt/flyway-runner}"\n' +
          "requested_at='2026-11-21T05:00:00.000Z'\n" +
          "exec runner --database 'users' --action 'migrate' ${requested_at:+--requested-at \"$requested_at\"}\n",
      },
    ]);
  });

  it('uses the agent default timeout when the step has none, and refuses nonsense', () => {
    const step = (timeoutSeconds?: string) => ({ ...DOCUMENT, mainSteps: [{ action: 'aws:runShellScript', name: 's', inputs: { runCommand: ['true'], timeoutSeconds } }] });
    expect(renderCommand(step(), { DatabaseKey: ['users'] }).steps[0].timeoutSeconds).toBe(DEFAULT_TIMEOUT_SECONDS);
    expect(() => renderCommand(step('soon'), { DatabaseKey: ['users'] })).toThrow(/timeoutSeconds "soon"/);
  });

  it('runs aws:runShellScript steps only', () => {
    const document = { ...DOCUMENT, mainSteps: [{ action: 'aws:runPowerShellScript', name: 'win', inputs: { runCommand: ['dir'] } }] };
    expect(() => renderCommand(document, { DatabaseKey: ['users'] })).toThrow(/not supported/);
  });
});

describe('parseCommandDocument', () => {
  it('reads schema 2.2 documents and names what is wrong with others', () => {
    expect(parseCommandDocument(JSON.stringify(DOCUMENT))).toEqual(DOCUMENT);
    expect(() => parseCommandDocument('{')).toThrow(/not JSON/);
    expect(() => parseCommandDocument('{"schemaVersion":"1.2","runtimeConfig":{}}')).toThrow(/schemaVersion "1.2"/);
    expect(() => parseCommandDocument('{"schemaVersion":"2.2","mainSteps":[]}')).toThrow(/no mainSteps/);
  });
});
