// Whether the host runner would run a migration file, decided by the shared naming rules and the
// database's settings: the runner applies this to every key it lists, and `aurora-flyway push`
// applies it before uploading, so that a file the runner would leave out is refused with the
// runner's own reason instead of being uploaded and waited for. Pure.

import { classifyKey, type Classification } from './flyway-name';

export const CALLBACKS_OFF_REASON = 'SQL callback, and callbacks are off for this database: set callbacks = true for it in the module, or delete the object';
const FIX = 'delete or rename the object';

export type RunnerVerdict =
  | { run: true; classification: Extract<Classification, { kind: 'versioned' | 'repeatable' | 'callback' }> }
  | { run: false; ignored: boolean; reason: string };

export function runnerVerdict(key: string, options: { callbacks: boolean }): RunnerVerdict {
  const classification = classifyKey(key);
  switch (classification.kind) {
    case 'ignored':
      return { run: false, ignored: true, reason: classification.reason };
    case 'rejected':
      return { run: false, ignored: false, reason: `${classification.reason}; ${FIX}` };
    case 'callback':
      return options.callbacks ? { run: true, classification } : { run: false, ignored: false, reason: CALLBACKS_OFF_REASON };
    default:
      return { run: true, classification };
  }
}
