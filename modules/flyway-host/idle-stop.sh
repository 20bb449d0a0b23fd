#!/bin/bash
# flyway-host-idle-stop: powers the Flyway host off once it has been idle for the minutes of its
# FlywayHostIdleStopMinutes instance tag (0 or no tag: never). systemd runs it every minute
# (flyway-host-idle-stop.timer, installed by the user data). Idle means: no command ran or finished
# within that time (each command touches last-activity when it ends, each boot when it starts) and
# none is running (each holds a shared lock on busy.lock while it runs). The SSM agent is stopped
# first, so a command sent from then on waits in Run Command instead of being cut off; the trigger
# starts the host again for it once the instance has stopped. The instance stops, not terminates
# (instance_initiated_shutdown_behavior), so its disk and software stay.
set -euo pipefail

if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  cat <<'USAGE'
Usage: flyway-host-idle-stop
Powers the Flyway host off when it has been idle for its FlywayHostIdleStopMinutes tag's minutes.
Run every minute by flyway-host-idle-stop.timer; running it by hand does the same check.
USAGE
  exit 0
fi

# The local test harness plays this host: it points these at its own directory and stand-ins.
host_dir="${FLYWAY_HOST_DIR:-/var/lib/flyway-host}"
systemctl_bin="${FLYWAY_HOST_SYSTEMCTL:-systemctl}"
grace_seconds="${FLYWAY_HOST_GRACE_SECONDS:-3}"

imds_tag() { # imds_tag NAME: the instance tag's value from the metadata service (IMDSv2)
  local token
  token="$(curl -sf -m 2 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token)" || return 1
  curl -sf -m 2 -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/tags/instance/$1"
}

minutes="${FLYWAY_HOST_IDLE_MINUTES:-$(imds_tag FlywayHostIdleStopMinutes || echo 0)}"
if ! [[ "$minutes" =~ ^[0-9]+$ ]] || [ "$minutes" -eq 0 ]; then
  exit 0
fi
idle_seconds="${FLYWAY_HOST_IDLE_SECONDS:-$((minutes * 60))}"

idle_for() { # seconds since the last command ended or the host booted
  local last
  last="$(stat -c %Y "$host_dir/last-activity" 2>/dev/null || echo 0)"
  echo "$(($(date +%s) - last))"
}

# The first boot is still installing the host's software, or the host is not idle yet. A setup
# that failed (setup-failed) counts as done: such a host sleeps too, and tries again when started.
[ -e "$host_dir/ready" ] || [ -e "$host_dir/setup-failed" ] || exit 0
[ "$(idle_for)" -ge "$idle_seconds" ] || exit 0
# A command is running (a migration longer than the idle time): its agent stays up. The lock is
# only tested here; it is taken below, once the agent can start no new command.
exec 9>>"$host_dir/busy.lock"
if ! flock -n -x 9; then
  echo "flyway-host-idle-stop: a command is running; staying on"
  exit 0
fi
flock -u 9

echo "flyway-host-idle-stop: idle for $(idle_for)s (limit ${idle_seconds}s); stopping the SSM agent so that new commands wait"
"$systemctl_bin" stop amazon-ssm-agent
# A command the agent started just before it stopped takes its lock within this time.
sleep "$grace_seconds"
if ! flock -n -x 9 || [ "$(idle_for)" -lt "$idle_seconds" ]; then
  echo "flyway-host-idle-stop: a command is running or has just run; staying on"
  "$systemctl_bin" start amazon-ssm-agent
  exit 0
fi
echo "flyway-host-idle-stop: powering off; the next upload starts the host again"
"$systemctl_bin" poweroff
