// Object tags that link an upload to what the trigger did with it. The CLI and people browsing
// the bucket read them; names are part of the module's contract.

export const COMMAND_ID_TAG = 'flyway-command-id';
export const REJECTED_TAG = 'flyway-rejected';

const MAX_TAG_VALUE_LENGTH = 256;
// S3's tag charset (ASCII subset): letters, digits, spaces and + - = . _ : / @.
const OUTSIDE_TAG_CHARSET = /[^A-Za-z0-9 +\-=._:/@]/g;

/** Makes any text a valid S3 tag value; our own values already are, this is the safety net. */
export function toTagValue(text: string): string {
  return text.replace(OUTSIDE_TAG_CHARSET, '_').slice(0, MAX_TAG_VALUE_LENGTH);
}

/** S3 keeps at most this many tags per object version. */
export const MAX_TAGS_PER_OBJECT = 10;

export interface Tag {
  Key: string;
  Value: string;
}

/**
 * The tag set after setting one tag: PutObjectTagging replaces the whole set, so the uploader's
 * own tags are carried over. Undefined when the object already has the maximum number of other
 * tags (ours cannot be added without dropping one of theirs).
 */
export function mergeTag(existing: readonly Tag[], tag: Tag): Tag[] | undefined {
  const others = existing.filter((item) => item.Key !== tag.Key);
  if (others.length >= MAX_TAGS_PER_OBJECT) return undefined;
  return [...others, tag];
}
