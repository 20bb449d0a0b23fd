#!/bin/bash
# Flyway host bootstrap (Amazon Linux 2023): the idle stop first, then Java for Flyway, Node.js 22
# for the runner and the database clients. The pinned Flyway CLI and the runner arrive with each
# command (see the SSM document), so they are not installed here. Commands that arrive before the
# setup has finished wait for the ready file.
# The idle stop comes first so that a host whose setup fails still sleeps instead of staying on
# (and billed). Downloads are retried with backoff; when they still fail, setup-failed says why,
# every command fails at once with it, and flyway-host-setup.service runs the setup again at the
# next boot (the trigger starts the sleeping host for the next upload) until it succeeds.
set -euo pipefail
# The local test harness runs this under a throwaway root, with stand-ins for dnf and systemctl.
root="${FLYWAY_HOST_ROOT:-}"
install -d -m 0755 "$root/var/log" "$root/var/lib/flyway-host" "$root/usr/local/sbin" "$root/etc/systemd/system"
exec > >(tee -a "$root/var/log/flyway-host-setup.log") 2>&1

# Idle stop (the host's FlywayHostIdleStopMinutes tag; 0 or none: always on). Each boot counts as
# activity, so a started host waits for the commands it was started for.
cat >"$root/usr/local/sbin/flyway-host-idle-stop" <<'IDLE_STOP_SCRIPT'
#@idle-stop.sh@
IDLE_STOP_SCRIPT
chmod 0755 "$root/usr/local/sbin/flyway-host-idle-stop"

cat >"$root/usr/local/sbin/flyway-host-setup" <<'SETUP_SCRIPT'
#!/bin/bash
# flyway-host-setup: installs what the Flyway host's commands need, retrying each download with
# backoff; writes /var/lib/flyway-host/ready when done, or setup-failed with the reason.
set -euo pipefail
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  echo "Usage: flyway-host-setup   (run by the user data at first boot, and at boot by flyway-host-setup.service until it succeeds)"
  exit 0
fi
root="${FLYWAY_HOST_ROOT:-}"
host_dir="$root/var/lib/flyway-host"
attempts="${FLYWAY_HOST_SETUP_ATTEMPTS:-5}"
first_delay="${FLYWAY_HOST_RETRY_DELAY_SECONDS:-10}"

retry() { # retry WHAT COMMAND...: up to $attempts tries, waiting 10, 20, 40, 80 s between them
  local attempt=1 delay="$first_delay"
  until "${@:2}"; do
    [ "$attempt" -lt "$attempts" ] || return 1
    echo "flyway-host-setup: $1 failed (attempt $attempt of $attempts); trying again in ${delay}s"
    sleep "$delay"
    attempt=$((attempt + 1))
    delay=$((delay * 2))
  done
}

install -d -m 0755 "$host_dir"
rm -f "$host_dir/setup-failed"
if ! retry "installing Java, Node.js and the database clients" dnf install -y --setopt=install_weak_deps=False java-17-amazon-corretto-headless nodejs22 postgresql15 mariadb105 tar gzip util-linux; then
  echo "installing Java, Node.js and the database clients (dnf) failed $attempts times, last at $(date -u +%Y-%m-%dT%H:%M:%SZ). The host's subnet needs a way to the package repositories (an internet gateway route or a NAT gateway, and HTTPS egress in the host's security group). The setup runs again at the host's next boot: once the network is fixed, stop and start the instance." >"$host_dir/setup-failed"
  cat "$host_dir/setup-failed"
  exit 1
fi
# Maven fetches the default Flyway source (maven:...). Not fatal: https and s3:// sources need no
# Maven, and a maven: source without it fails with a message that says so.
retry "installing Maven" dnf install -y --setopt=install_weak_deps=False maven || echo "maven could not be installed: set flyway_download_url to an https or s3:// source"
touch "$host_dir/ready"
echo "flyway host ready"
SETUP_SCRIPT
chmod 0755 "$root/usr/local/sbin/flyway-host-setup"

cat >"$root/etc/systemd/system/flyway-host-setup.service" <<'UNIT'
[Unit]
Description=Flyway host: install its software at boot until it is installed
ConditionPathExists=!/var/lib/flyway-host/ready
Wants=network-online.target
After=network-online.target
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/flyway-host-setup
[Install]
WantedBy=multi-user.target
UNIT
cat >"$root/etc/systemd/system/flyway-host-boot.service" <<'UNIT'
[Unit]
Description=Flyway host: a boot counts as activity for the idle stop
[Service]
Type=oneshot
ExecStart=/usr/bin/touch /var/lib/flyway-host/last-activity
[Install]
WantedBy=multi-user.target
UNIT
cat >"$root/etc/systemd/system/flyway-host-idle-stop.service" <<'UNIT'
[Unit]
Description=Flyway host: power off when idle
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/flyway-host-idle-stop
UNIT
cat >"$root/etc/systemd/system/flyway-host-idle-stop.timer" <<'UNIT'
[Unit]
Description=Flyway host: check every minute whether it is idle
[Timer]
OnBootSec=2min
OnUnitActiveSec=1min
AccuracySec=10s
[Install]
WantedBy=timers.target
UNIT
systemctl daemon-reload
systemctl enable flyway-host-setup.service
systemctl enable --now flyway-host-boot.service flyway-host-idle-stop.timer

"$root/usr/local/sbin/flyway-host-setup"
