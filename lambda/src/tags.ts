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
