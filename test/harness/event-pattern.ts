// EventBridge's event-pattern matching, for the patterns the module writes: every field of the
// pattern must be in the event; a list matches when the event's value is one of its values; an
// object matches the event's object field by field (pure).

export function matchesEventPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    const actual = event[field];
    if (Array.isArray(expected)) return expected.some((value) => value === actual);
    if (typeof expected === 'object' && expected !== null) {
      return typeof actual === 'object' && actual !== null && matchesEventPattern(expected as Record<string, unknown>, actual as Record<string, unknown>);
    }
    throw new Error(`event pattern field ${field}: only lists and objects are played by the harness`);
  });
}
