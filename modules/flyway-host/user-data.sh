#!/bin/bash
# Flyway host bootstrap (Amazon Linux 2023): Java and the database clients. The pinned Flyway CLI
# and the runner arrive with each command (see the SSM document), so they are not installed here.
set -euo pipefail
exec > >(tee -a /var/log/flyway-host-setup.log) 2>&1

dnf install -y --setopt=install_weak_deps=False java-17-amazon-corretto-headless postgresql15 mariadb105 jq tar gzip util-linux
echo "flyway host ready"
