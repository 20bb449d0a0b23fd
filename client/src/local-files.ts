// The migration files of a folder, as push uploads them: the files directly in it (as
// `aws s3 sync` with --exclude '*' --include '*.sql' would), sorted by name.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ClientError, EXIT } from './errors';

export interface LocalFile {
  name: string;
  content: Buffer;
}

export function readMigrationFolder(dir: string): LocalFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new ClientError(`cannot read the folder ${dir}: ${(error as Error).message}`, EXIT.usage, 'pass the folder that holds the V<version>__<description>.sql files');
  }
  return names
    .filter((name) => name.endsWith('.sql') && statSync(join(dir, name)).isFile())
    .sort()
    .map((name) => ({ name, content: readFileSync(join(dir, name)) }));
}
