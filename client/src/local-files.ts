// The migration files of a folder, as push uploads them: the regular files directly in it whose
// name ends in .sql in any case, sorted by name. A V1__x.SQL is read too, so that lint reports it
// (the module rejects that suffix) and push refuses the folder, instead of leaving it out without a word.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isSqlKey } from '../../common/src/flyway-name';
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
    .filter((name) => isSqlKey(name) && statSync(join(dir, name)).isFile())
    .sort()
    .map((name) => ({ name, content: readFileSync(join(dir, name)) }));
}
