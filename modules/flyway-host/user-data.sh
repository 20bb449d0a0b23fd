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
touch /var/lib/flyway-host/ready
echo "flyway host ready"
