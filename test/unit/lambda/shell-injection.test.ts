// "Nothing injected": an object key built to run shell commands goes through the real handler
// path and must neither run anything nor reach the SSM parameters. A control run through bash
// proves the payload is live, so the test cannot pass just because the payload is inert.

import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Config } from '../../../lambda/src/config';
import { createHandler } from '../../../lambda/src/handler';
import { captureLogs, FakePorts } from './support/fake-ports';
import { s3Event } from './support/s3-events';

const BUCKET = 'myproj-users-123';
const config: Config = {
  documentName: 'myproj-flyway-run',
  instanceId: 'i-0123456789abcdef0',
  bucketParameterPrefix: '/myproj/flyway/buckets',
  commandLogGroup: '/myproj/flyway/commands',
  commandTimeoutSeconds: 600,
  notificationTopicArn: 'arn:aws:sns:eu-west-1:123456789012:myproj-flyway',
  startStoppedHost: false,
};

/**
 * A valid Flyway name whose description runs `touch /tmp/<marker>` twice if it ever reaches a
 * shell. The slash is written as printf's octal escape, because a literal `/` would make S3
 * (and us) read the part before it as a folder.
 */
function payloadKey(marker: string): string {
  const path = `$(printf '\\057tmp\\057${marker}')`;
  return `V5__$(touch ${path});\`touch ${path}-b\`.sql`;
}

const markers: string[] = [];
function newMarker(): string {
  const marker = `flyway-inject-${randomUUID()}`;
  markers.push(`/tmp/${marker}`, `/tmp/${marker}-b`);
  return marker;
}
afterAll(() => markers.forEach((path) => rmSync(path, { force: true })));

describe('a key crafted for shell injection', () => {
  it('control: the payload does create its marker when a shell evaluates it', () => {
    const marker = newMarker();
    // As a naive `bash -c "flyway ... ${key}"` would; the trailing `.sql` then fails as a command.
    spawnSync('bash', ['-c', `: ${payloadKey(marker)}`], { stdio: 'ignore' });
    expect(existsSync(`/tmp/${marker}`)).toBe(true);
  });

  it('is accepted as a Flyway name, but runs nothing and is not in the SSM parameters', async () => {
    const marker = newMarker();
    const key = payloadKey(marker);
    const ports = new FakePorts();
    const handler = createHandler({ config: () => config, ports: () => ports, logger: captureLogs().logger });

    await handler(s3Event({ bucket: BUCKET, key, versionId: 'v1' }));

    expect(ports.sent).toHaveLength(1);
    const parameters = JSON.stringify(ports.sent[0]?.Parameters);
    for (const fragment of [key, marker, 'touch', '$(', '`', 'printf']) {
      expect(parameters).not.toContain(fragment);
    }
    expect(ports.sent[0]?.Parameters).toEqual({ DatabaseKey: ['users'], Action: ['migrate'], RequestedAt: ['2026-11-21T05:00:00.000Z'] });
    // The comment names the file, defused: no `$`, backquote, `;` or quote survives.
    expect(ports.sent[0]?.Comment).not.toMatch(/[$`;']/);
    // The key is only ever passed to S3 as data, to tag that very object.
    expect(ports.tags).toEqual([expect.objectContaining({ key, tagKey: 'flyway-command-id' })]);
    expect(existsSync(`/tmp/${marker}`)).toBe(false);
    expect(existsSync(`/tmp/${marker}-b`)).toBe(false);
  });

  it('the literal form from the issue (with a slash) is rejected by name and runs nothing', async () => {
    const marker = newMarker();
    const key = `V5__$(touch /tmp/${marker});\`id\`.sql`;
    const ports = new FakePorts();
    const handler = createHandler({ config: () => config, ports: () => ports, logger: captureLogs().logger });

    await handler(s3Event({ bucket: BUCKET, key, versionId: 'v1' }));

    expect(ports.sent).toEqual([]);
    expect(ports.tags).toEqual([expect.objectContaining({ key, tagKey: 'flyway-rejected', tagValue: expect.stringMatching(/^not a Flyway migration name/) })]);
    expect(existsSync(`/tmp/${marker}`)).toBe(false);
  });
});
