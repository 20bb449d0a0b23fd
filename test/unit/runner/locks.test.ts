// The runner's host-wide locks (abstract Unix sockets) are scoped by its home directory: the path
// and the directory itself, so two hosts whose homes are mounted at one path (the harness's mount
// namespaces) do not share them, while every run of one host does.
import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Locks } from '../../../runner/src/locks';

describe('the runner\'s locks', () => {
  const root = mkdtempSync(join(tmpdir(), 'locks-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('are held once per home: a second taker of the same home is refused until the first releases', async () => {
    const home = join(root, 'one');
    mkdirSync(home);
    const first = await new Locks(home).tryLock('slot-0');
    expect(first).toBeDefined();
    expect(await new Locks(home).tryLock('slot-0')).toBeUndefined();
    await first?.release();
    const again = await new Locks(home).tryLock('slot-0');
    expect(again).toBeDefined();
    await again?.release();
  });

  it('are not shared by another directory at the same path (another host\'s home mounted there)', async () => {
    const home = join(root, 'mounted');
    mkdirSync(home);
    const held = await new Locks(home).tryLock('slot-0');
    expect(held).toBeDefined();
    // The same path now names another directory, as /var/lib/flyway-runner does in each harness's namespace.
    renameSync(home, join(root, 'the-first-host'));
    mkdirSync(home);
    const other = await new Locks(home).tryLock('slot-0');
    expect(other).toBeDefined();
    await other?.release();
    await held?.release();
  });
});
