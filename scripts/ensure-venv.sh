#!/usr/bin/env bash
# Debian and Ubuntu ship Python without venv unless python3-venv is installed.
set -euo pipefail
PY=${1:-python3}
if "$PY" -c 'import ensurepip, venv' 2>/dev/null; then exit 0; fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
ver=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "python$ver-venv"
