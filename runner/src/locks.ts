// Host-wide locks as Linux abstract Unix sockets: binding a name succeeds for exactly one process,
// and the kernel frees the name when that process ends, however it ends (SIGKILL, OOM, reboot), so
// a crashed run never leaves a stale lock. Names are scoped by the runner's home directory: its
// path and the directory itself (device and inode), so test hosts on one machine do not see each
// other's locks, also when each has its own directory mounted at the instance's path (the local
// harness runs every host in a mount namespace; abstract socket names are shared by all of them).

import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

export interface Lock {
  release(): Promise<void>;
}

export class Locks {
  private readonly scope: string;

  constructor(home: string) {
    const { dev, ino } = statSync(home);
    this.scope = createHash('sha256').update(`${home}\u0000${dev}\u0000${ino}`).digest('hex').slice(0, 16);
  }

  /** The lock, or undefined at once when another process holds it. */
  tryLock(name: string): Promise<Lock | undefined> {
    const server: Server = createServer();
    return new Promise((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') resolve(undefined);
        else reject(error);
      });
      server.listen({ path: `\0aurora-flyway-runner/${this.scope}/${name}` }, () => {
        server.unref();
        resolve({ release: () => new Promise<void>((done) => server.close(() => done())) });
      });
    });
  }

  /** Whether some process holds the lock right now (it is taken and released at once if free). */
  async isHeld(name: string): Promise<boolean> {
    const lock = await this.tryLock(name);
    if (lock === undefined) return true;
    await lock.release();
    return false;
  }

  /** One of `count` slots, or undefined when all are taken. */
  async trySlot(count: number): Promise<Lock | undefined> {
    for (let slot = 0; slot < count; slot += 1) {
      const lock = await this.tryLock(`slot-${slot}`);
      if (lock !== undefined) return lock;
    }
    return undefined;
  }

  /** Polls for the lock until it is free or `timeoutMs` passed. */
  async waitForLock(name: string, timeoutMs: number, pollMs = 500): Promise<Lock | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lock = await this.tryLock(name);
      if (lock !== undefined || Date.now() >= deadline) return lock;
      await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, Math.max(0, deadline - Date.now()))));
    }
  }
}

export const databaseLockName = (database: string): string => `database-${database}`;
