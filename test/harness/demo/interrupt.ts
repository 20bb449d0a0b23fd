// What to undo when the demo is interrupted (Ctrl-C) before it could clean up itself.

let cleanup: (() => Promise<void>) | undefined;

/** Registers the cleanup of the current step; undefined clears it. */
export function onInterrupt(action: (() => Promise<void>) | undefined): void {
  cleanup = action;
}

export async function runInterruptCleanup(): Promise<void> {
  const action = cleanup;
  cleanup = undefined;
  await action?.().catch(() => undefined);
}
