#!/bin/bash
# Flyway host bootstrap (Amazon Linux 2023): Java for Flyway, Node.js 22 for the runner, and the
# database clients. The pinned Flyway CLI and the runner arrive with each command (see the SSM
# document), so they are not installed here. Commands that arrive before this script has finished
# wait for the ready file.
set -euo pipefail
exec > >(tee -a /var/log/flyway-host-setup.log) 2>&1

dnf install -y --setopt=install_weak_deps=False java-17-amazon-corretto-headless nodejs22 postgresql15 mariadb105 tar gzip util-linux
# Maven fetches the default Flyway source (maven:...). Not fatal: https and s3:// sources need no
# Maven, and a maven: source without it fails with a message that says so.
dnf install -y --setopt=install_weak_deps=False maven || echo "maven could not be installed: set flyway_download_url to an https or s3:// source"
install -d -m 0755 /var/lib/flyway-host

# Idle stop (the host's FlywayHostIdleStopMinutes tag; 0 or none: always on). Each boot counts as
# activity, so a started host waits for the commands it was started for.
cat >/usr/local/sbin/flyway-host-idle-stop <<'IDLE_STOP_SCRIPT'
#@idle-stop.sh@
IDLE_STOP_SCRIPT
chmod 0755 /usr/local/sbin/flyway-host-idle-stop
cat >/etc/systemd/system/flyway-host-boot.service <<'UNIT'
[Unit]
Description=Flyway host: a boot counts as activity for the idle stop
[Service]
Type=oneshot
ExecStart=/usr/bin/touch /var/lib/flyway-host/last-activity
[Install]
WantedBy=multi-user.target
UNIT
cat >/etc/systemd/system/flyway-host-idle-stop.service <<'UNIT'
[Unit]
Description=Flyway host: power off when idle
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/flyway-host-idle-stop
UNIT
cat >/etc/systemd/system/flyway-host-idle-stop.timer <<'UNIT'
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
systemctl enable --now flyway-host-boot.service flyway-host-idle-stop.timer

touch /var/lib/flyway-host/ready
echo "flyway host ready"
