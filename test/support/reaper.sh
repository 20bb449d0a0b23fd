#!/usr/bin/env bash
# Stops a throwaway test service once the test process that started it is gone, however it ended
# (failed test, Ctrl-C, SIGKILL), then deletes the service's temp dir. Started detached by
# test/support/service.ts, one per service.
set -euo pipefail

if [ "${1:-}" = "--help" ] || [ "$#" -ne 4 ]; then
  echo "Usage: reaper.sh OWNER_PID SERVICE_PID STOP_SIGNAL WORK_DIR" >&2
  [ "${1:-}" = "--help" ] && exit 0
  exit 2
fi
owner="$1" service="$2" signal="$3" work_dir="$4"

while kill -0 "$owner" 2>/dev/null && kill -0 "$service" 2>/dev/null; do
  sleep 1
done
if kill -0 "$service" 2>/dev/null; then
  kill "-$signal" "$service" 2>/dev/null || true
  for _ in $(seq 1 20); do
    kill -0 "$service" 2>/dev/null || break
    sleep 0.5
  done
  kill -KILL "$service" 2>/dev/null || true
fi
case "$work_dir" in
  /tmp/* | "${TMPDIR:-/tmp}"/*) rm -rf -- "$work_dir" ;;
esac
