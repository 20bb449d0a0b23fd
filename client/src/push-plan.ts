// What a push must do, decided from the local files and the bucket's current objects (pure).
// An applied versioned migration must never change: Flyway stores each one's checksum and fails
// validation when the file differs. So a changed V file is refused unless --allow-modify (for a
// version that never reached the database). Repeatable and callback files are meant to change.

import { classifyKey } from '../../common/src/flyway-name';

export interface RemoteObject {
  key: string;
  /** Whether the object holds exactly the local bytes. */
  sameAs(content: Buffer): Promise<boolean>;
}

export type FileAction = 'upload-new' | 'upload-changed' | 'unchanged' | 'refused-modified';

export interface PlannedFile {
  name: string;
  action: FileAction;
}

export interface PushPlan {
  files: PlannedFile[];
  /** Versioned files whose bucket copy differs (refused without --allow-modify). */
  refused: string[];
  uploads: string[];
}

export async function planPush(local: readonly { name: string; content: Buffer }[], remote: ReadonlyMap<string, RemoteObject>, allowModify: boolean): Promise<PushPlan> {
  const files: PlannedFile[] = [];
  for (const file of local) {
    const existing = remote.get(file.name);
    if (existing === undefined) {
      files.push({ name: file.name, action: 'upload-new' });
      continue;
    }
    if (await existing.sameAs(file.content)) {
      files.push({ name: file.name, action: 'unchanged' });
      continue;
    }
    const versioned = classifyKey(file.name).kind === 'versioned';
    files.push({ name: file.name, action: versioned && !allowModify ? 'refused-modified' : 'upload-changed' });
  }
  return {
    files,
    refused: files.filter((file) => file.action === 'refused-modified').map((file) => file.name),
    uploads: files.filter((file) => file.action === 'upload-new' || file.action === 'upload-changed').map((file) => file.name),
  };
}
