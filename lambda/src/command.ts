// Builds the SendCommand request for one database. The document's parameters come only from
// configuration and the event's timestamps, never from the object key: the key is named in
// the free-text comment only, after being reduced to a safe character set.

import type { SendCommandCommandInput } from '@aws-sdk/client-ssm';
import type { Config } from './config';
import type { DatabaseRun } from './plan';
import { basenameOf } from '../../common/src/flyway-name';

/** SendCommand rejects comments longer than this. */
export const MAX_COMMENT_LENGTH = 100;
export const ACTION = 'migrate';

// Kept: letters, marks and digits of any script, "other symbols" such as emoji (\p{So}; `$`,
// backquote, `|`, `<` and `>` are in other symbol classes) and plain punctuation. Everything
// else (control characters, quotes, shell metacharacters) becomes `_`, so the comment is
// harmless wherever it is displayed.
const UNSAFE_COMMENT_CHARS = /[^\p{L}\p{M}\p{N}\p{So} ._+=:@/,%()\[\]-]/gu;
const ELLIPSIS = '...';

/** Cuts `text` to at most `max` UTF-16 units without splitting a character, marking the cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text);
  let out = '';
  for (const char of chars) {
    if (out.length + char.length + ELLIPSIS.length > max) break;
    out += char;
  }
  return out + ELLIPSIS;
}

/** e.g. `s3 upload myproj-users-123: V3__add_index.sql +2 more` (at most 100 characters). */
export function buildComment(run: DatabaseRun): string {
  const others = run.records.length - 1;
  const suffix = others > 0 ? ` +${others} more` : '';
  const name = basenameOf(run.newest.key).replace(UNSAFE_COMMENT_CHARS, '_');
  const main = `s3 upload ${run.newest.bucket}: ${name}`;
  return truncate(main, MAX_COMMENT_LENGTH - suffix.length) + suffix;
}

export function buildSendCommandInput(config: Config, run: DatabaseRun): SendCommandCommandInput {
  return {
    DocumentName: config.documentName,
    InstanceIds: [config.instanceId],
    Parameters: {
      DatabaseKey: [run.database],
      Action: [ACTION],
      RequestedAt: [run.requestedAt],
    },
    Comment: buildComment(run),
    TimeoutSeconds: config.commandTimeoutSeconds,
    CloudWatchOutputConfig: {
      CloudWatchOutputEnabled: true,
      CloudWatchLogGroupName: config.commandLogGroup,
    },
  };
}
