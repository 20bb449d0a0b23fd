# shellcheck shell=bash disable=SC2034
# Shared by the project's bash scripts: where the cache lives, progress lines and one-line failures.

PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLCHAIN_CACHE="${AURORA_FLYWAY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-aws-aurora-flyway}"
TOOLCHAIN_ENV_FILE="$TOOLCHAIN_CACHE/toolchain.env"

# Progress goes to stderr so that stdout stays usable for machine-readable output.
say() { printf '%s\n' "$*" >&2; }

# One line that names what failed and how to fix it, then exit.
die() {
  local what="$1" fix="$2"
  printf 'ERROR: %s. Fix: %s\n' "$what" "$fix" >&2
  exit 1
}

# Run a long command with its output in a log file, printing a heartbeat so people see progress.
run_logged() {
  local label="$1" log="$2"
  shift 2
  mkdir -p "$(dirname "$log")"
  local started=$SECONDS
  "$@" >"$log" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 5 &
    wait $! 2>/dev/null || true
    if kill -0 "$pid" 2>/dev/null && (((SECONDS - started) % 30 < 5)); then
      say "      ... $label: $((SECONDS - started))s so far (log: $log)"
    fi
  done
  wait "$pid"
}

# version_at_least 1.11.4 1.9.0 -> true
version_at_least() {
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]
}
