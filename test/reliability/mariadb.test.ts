// The runner killed mid-migration on MySQL (MariaDB), where DDL cannot be rolled back: the half of
// the migration that ran stays, the next run reports the failed entry Flyway records and says how
// to repair, and the repair path (undo, aurora-flyway run repair, migrate) ends with every version
// applied once. The module applied on the emulator, the harness, the real runner and Flyway.

import type { Burst, Harness } from '../harness/harness';
import { World } from '../e2e/support';
import { saveEvidence } from './evidence';
import { recordCase } from './cases';
import { hostProcessGroups } from '../harness/ssm-host';
import { runClient } from '../harness/client';
import { waitFor } from '../support/wait-for';

jest.setTimeout(900_000);

const PREFIX = 'relmy';

describe('MySQL (MariaDB) on its worst day', () => {
  let world: World;
  let harness: Harness;
  let bucket = '';

  beforeAll(async () => {
    world = await World.start('mysql', PREFIX, async () => ({ databases: JSON.stringify({ killed: {} }), settle_seconds: '1' }));
    await world.applyNew();
    harness = await world.connect();
    bucket = (await world.outputs()).buckets.killed ?? '';
  });
  afterAll(async () => {
    if (world !== undefined) await saveEvidence(world);
    await world?.stop();
  });

  const tables = async () => (await world.query('information_schema', "SELECT table_name FROM tables WHERE table_schema = 'killed' AND table_name LIKE '%half' ORDER BY 1")).join(', ') || 'none';
  const history = async () => {
    try {
      return (await world.query('killed', 'SELECT version, success FROM flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank')).join(', ') || 'empty';
    } catch {
      return 'no schema history';
    }
  };

  it('the runner killed (SIGKILL) in the middle of a migration: the half that ran stays, the next run reports the failed entry and how to repair, and the repair path migrates', async () => {
    const halves = { key: 'V1__two_halves.sql', body: 'CREATE TABLE first_half (id int);\nSELECT SLEEP(3);\nCREATE TABLE second_half (id int);\n' };
    const running = harness.uploadBurst(bucket, [halves]);
    await waitFor('the migration to be sleeping', async () => (await world.query('information_schema', "SELECT count(*) FROM processlist WHERE info LIKE 'SELECT SLEEP(3)%'"))[0] !== '0');
    const groups = [...hostProcessGroups()];
    for (const group of groups) process.kill(-group, 'SIGKILL');
    const killed: Burst = await running;
    const afterKill = { tables: await tables(), history: await history() };

    // The next upload's run meets the half-applied V1: Flyway records the failure, the runner says what to do.
    const next = await harness.uploadBurst(bucket, [{ key: 'V2__after.sql', body: 'CREATE TABLE after_kill (id int);\n' }]);
    const failed = `${next.commands[0]?.stdout ?? ''}\n${next.commands[0]?.stderr ?? ''}`.split('\n').find((line) => line.startsWith('flyway-runner: error: '));
    const afterNext = { tables: await tables(), history: await history() };

    // The repair path the message gives: undo the half, repair, migrate (through the uploader's client).
    await world.query('killed', 'DROP TABLE first_half');
    const repaired = await runClient(harness, PREFIX, ['run', 'killed', 'repair']);
    const migrated = await runClient(harness, PREFIX, ['run', 'killed', 'migrate']);
    const afterRepair = { tables: await tables(), history: await history() };
    recordCase({
      category: 'fault',
      input: `MariaDB: the runner and Flyway killed (SIGKILL to ${groups.length} process group(s)) between the two statements of V1`,
      where: "Run Command: the command Failed (failure notification); the next run's outcome record and command output; aurora-flyway run",
      says: `killed command: ${killed.commands[0]?.status ?? '?'}; next run: ${failed ?? '(no error line)'}; repair: exit ${repaired.code}, migrate: exit ${migrated.code}`,
      database: `after the kill: tables ${afterKill.tables}, history ${afterKill.history}; after the next run: history ${afterNext.history}; after undo, repair and migrate: tables ${afterRepair.tables}, history ${afterRepair.history}`,
    });
    expect(groups.length).toBeGreaterThan(0);
    expect(killed.commands[0]?.status).toBe('Failed');
    // MySQL committed the first statement's DDL: half of V1 is there, and nothing is recorded.
    expect(afterKill.tables).toBe('first_half');
    expect(['no schema history', 'empty']).toContain(afterKill.history);
    expect(next.commands[0]?.status).toBe('Failed');
    expect(failed).toContain('V1__two_halves.sql');
    expect(failed).toContain('run --action repair');
    expect(afterNext.history).toBe('1|0');
    expect(repaired.code).toBe(0);
    expect(migrated.code).toBe(0);
    expect(afterRepair.tables).toBe('first_half, second_half');
    expect(afterRepair.history).toBe('1|1, 2|1');
  });
});
