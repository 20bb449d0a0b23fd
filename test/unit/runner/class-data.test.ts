import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archiveName, classDataArgs, classDataFor } from '../../../runner/src/class-data';

describe("Flyway's class-data archive", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'class-data-'));
    for (const program of ['flyway', 'java']) {
      mkdirSync(join(root, 'bin'), { recursive: true });
      writeFileSync(join(root, 'bin', program), '#!/bin/sh\n');
      chmodSync(join(root, 'bin', program), 0o755);
    }
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is named after the Flyway installation and the Java build, so either changing makes a new one', () => {
    const name = archiveName('/opt/flyway/flyway-10.21.0/flyway', '/usr/lib/jvm/java-17/bin/java', 1_000);
    expect(name).toMatch(/^flyway-[0-9a-f]{16}\.jsa$/);
    expect(archiveName('/opt/flyway/flyway-11.0.0/flyway', '/usr/lib/jvm/java-17/bin/java', 1_000)).not.toBe(name);
    expect(archiveName('/opt/flyway/flyway-10.21.0/flyway', '/usr/lib/jvm/java-17/bin/java', 2_000)).not.toBe(name);
  });

  it('is mapped when it exists, and written at exit to a file of its own when it does not; the cds log stays off stdout either way', () => {
    expect(classDataArgs('/h/a.jsa', true, '/h/a.jsa.7.tmp')).toEqual(['-Xlog:cds*=off', '-XX:SharedArchiveFile=/h/a.jsa', '-Xshare:auto']);
    expect(classDataArgs('/h/a.jsa', false, '/h/a.jsa.7.tmp')).toEqual(['-Xlog:cds*=off', '-XX:ArchiveClassesAtExit=/h/a.jsa.7.tmp']);
  });

  it('moves a written archive into place after the run, and maps it from the next run on', () => {
    const home = join(root, 'home');
    const env = { PATH: join(root, 'bin') };
    const first = classDataFor(home, 'flyway', env);
    const temporary = (first.javaArgs[1] ?? '').replace('-XX:ArchiveClassesAtExit=', '');
    expect(temporary).toMatch(/\/class-data\/flyway-[0-9a-f]{16}\.jsa\.\d+\.tmp$/);
    writeFileSync(temporary, 'archive bytes');
    first.done();
    expect(readdirSync(join(home, 'class-data'))).toEqual([temporary.replace(/^.*\//, '').replace(/\.\d+\.tmp$/, '')]);
    const second = classDataFor(home, 'flyway', env);
    expect(second.javaArgs).toContain('-Xshare:auto');
    // A Java update (a new binary) writes a new archive.
    utimesSync(join(root, 'bin', 'java'), new Date(), new Date(Date.now() + 60_000));
    expect(classDataFor(home, 'flyway', env).javaArgs[1]).toMatch(/^-XX:ArchiveClassesAtExit=/);
  });

  it('leaves nothing behind when the JVM wrote no archive, and sets nothing up without java or a plain path', () => {
    const home = join(root, 'home');
    const run = classDataFor(home, 'flyway', { PATH: join(root, 'bin') });
    run.done();
    expect(readdirSync(join(home, 'class-data'))).toEqual([]);
    expect(classDataFor(home, 'flyway', { PATH: '/nonexistent' }).javaArgs).toEqual([]);
    expect(classDataFor(join(root, 'a home'), 'flyway', { PATH: join(root, 'bin') }).javaArgs).toEqual([]);
    expect(existsSync(join(root, 'a home', 'class-data'))).toBe(false);
  });
});
