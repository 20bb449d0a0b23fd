// The agent the harness plays gives a script the environment amazon-ssm-agent gives it, and runs
// at most CommandWorkersLimit commands at once, the others in the order they arrived.
import { AGENT_PATH, agentEnvironment, commandWorkers, COMMAND_WORKERS_LIMIT } from '../../harness/ssm-host';
import type { HostRoot } from '../../harness/host-root';

const ROOT: HostRoot = { mounts: [], caFile: '/usr/local/share/flyway-harness/local-database-ca.pem', outside: (path) => path };

describe("the SSM agent's environment and workers, as the harness plays them", () => {
  const env = agentEnvironment(
    { awsEnv: { AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_REGION: 'eu-central-1', AWS_ACCESS_KEY_ID: 'AKIAHARNESSFLYWAYHST', AWS_SECRET_ACCESS_KEY: 'x' }, metadataEndpoint: 'http://127.0.0.1:2/', dbEndpoint: '127.0.0.1:5432', root: ROOT, instanceId: 'i-1' },
    'c-1',
  );

  it("is systemd's environment for the agent's service plus what the agent adds, and the variables only this machine needs", () => {
    expect(Object.keys(env).sort()).toEqual(
      [
        'PATH',
        'LANG',
        'AWS_SSM_INSTANCE_ID',
        'AWS_SSM_REGION_NAME',
        'AWS_SSM_PLATFORM_NAME',
        'AWS_SSM_PLATFORM_VERSION',
        'SSM_COMMAND_ID',
        // local only (README: "What the host's scripts get that the instance's do not")
        'AWS_ENDPOINT_URL',
        'AWS_EC2_METADATA_SERVICE_ENDPOINT',
        'FLYWAY_RUNNER_DB_ENDPOINT',
        'FLYWAY_RUNNER_CA_BUNDLE',
        'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
      ].sort(),
    );
    expect(env.PATH).toBe(AGENT_PATH);
    expect(env).toMatchObject({ AWS_SSM_INSTANCE_ID: 'i-1', AWS_SSM_REGION_NAME: 'eu-central-1', SSM_COMMAND_ID: 'c-1', AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://127.0.0.1:2/' });
  });

  it('holds no HOME, no credentials and nothing of the process that runs the tests', () => {
    for (const name of ['HOME', 'USER', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_EC2_METADATA_DISABLED', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'FLYWAY_RUNNER_HOME', 'FLYWAY_HOST_DIR']) {
      expect(env).not.toHaveProperty(name);
    }
  });

  it(`runs ${COMMAND_WORKERS_LIMIT} commands at once; the sixth and seventh wait, and start in the order they came`, async () => {
    const workers = commandWorkers();
    const started: number[] = [];
    const finish: (() => void)[] = [];
    const runs = Array.from({ length: 7 }, (_, index) =>
      workers.run(
        () =>
          new Promise<void>((resolve) => {
            started.push(index);
            finish[index] = resolve;
          }),
      ),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect([workers.busy, workers.waiting]).toEqual([5, 2]);
    finish[3]?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    // A newcomer while one waits does not overtake it.
    const late = workers.run(async () => started.push(99));
    finish[0]?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (const done of finish) done?.();
    await Promise.all([...runs, late]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 99]);
    expect([workers.busy, workers.waiting]).toEqual([0, 0]);
  });
});
