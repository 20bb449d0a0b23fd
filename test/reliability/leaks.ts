// Where a secret could leak to, searched as text (pure apart from reading files).

import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** How often `secret` occurs in `text`, also JSON-escaped and base64-encoded. */
export function occurrences(text: string, secret: string): number {
  if (secret === '') throw new Error('an empty secret cannot be searched for');
  const forms = new Set([secret, JSON.stringify(secret).slice(1, -1), Buffer.from(secret).toString('base64')]);
  let count = 0;
  for (const form of forms) {
    for (let at = text.indexOf(form); at !== -1; at = text.indexOf(form, at + 1)) count += 1;
  }
  return count;
}

/** Every regular file under `dir` with its text (links are not followed). */
export function filesUnder(dir: string): { path: string; text: string }[] {
  const files: { path: string; text: string }[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (stat === undefined) continue;
    if (stat.isDirectory()) files.push(...filesUnder(path));
    else if (stat.isFile()) files.push({ path, text: readFileSync(path).toString('latin1') });
  }
  return files;
}
