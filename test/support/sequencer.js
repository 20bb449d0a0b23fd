// The order jest starts test files in: longest first, so that no long file starts last and keeps
// one worker busy while the others wait (longest-processing-time-first scheduling). Jest itself
// orders by the durations in its cache when it has them, and otherwise by file size, which puts
// several long files (the terraform module tests, the bench smoke run) near the end of a run on a
// fresh machine such as CI's. So a file's weight is its cached duration when jest has one, else the
// seconds measured for it below, else its size in bytes / 1000 (a few seconds for a unit file).
// The table is a scheduling hint only: a stale or missing entry changes the order, never a result.

const Sequencer = require('@jest/test-sequencer').default;
const { relative } = require('node:path');

// Seconds per file on the 2-core machine, from the clean-checkout `npm test` of a981abd (four
// workers; the two files of the module's key from the run of d075ba0, the clusters e2e from the
// run of 206b38c, the tenant groups' runner file from its own run). Files under 20 s are left to their size.
const MEASURED_SECONDS = {
  'test/e2e/mysql.test.ts': 398,
  'test/reliability/local-stack.test.ts': 391,
  'test/reliability/push-truth.test.ts': 379,
  'test/e2e/clusters.test.ts': 390,
  'test/e2e/postgresql.test.ts': 308,
  'test/terraform/module.test.ts': 217,
  'test/e2e/sleeping-host.test.ts': 213,
  'test/terraform/kms-key-upgrade.test.ts': 189,
  'test/terraform/cluster-lifecycle.test.ts': 173,
  'test/e2e/client.test.ts': 137,
  'test/smoke/bench.test.ts': 125,
  'test/integration/runner/coordination.test.ts': 111,
  'test/reliability/mariadb.test.ts': 102,
  'test/terraform/limits.test.ts': 98,
  'test/integration/runner/locks.test.ts': 74,
  'test/integration/runner/postgresql.test.ts': 66,
  'test/integration/runner/tenant-groups.test.ts': 60,
  'test/terraform/key-policy.test.ts': 56,
  'test/integration/runner/mariadb.test.ts': 53,
  'test/smoke/terraform.test.ts': 52,
  'test/smoke/tls.test.ts': 41,
  'test/integration/runner/install-flyway.test.ts': 34,
  'test/integration/harness/ssm-agent.test.ts': 25,
};

class LongestFirst extends Sequencer {
  sort(tests) {
    const weight = (test) => {
      const cached = this.time(test);
      if (cached !== undefined && cached !== null) return cached / 1000;
      const measured = MEASURED_SECONDS[relative(test.context.config.rootDir, test.path)];
      return measured ?? (test.context.hasteFS.getSize(test.path) ?? 0) / 1000;
    };
    return [...tests].sort((a, b) => weight(b) - weight(a));
  }
}

module.exports = LongestFirst;
