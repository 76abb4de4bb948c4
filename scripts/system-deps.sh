#!/usr/bin/env bash
# System packages the test suite needs: a real Dovecot for the IMAP tests, a real
# PostgreSQL for the tracker's tests (both started privately by the tests, never as a
# service), Chromium for the dashboard's browser tests, and a desktop session (D-Bus,
# Xvfb, dunst) for the watch's notifications.
# Installs only what is missing, so a second run costs nothing.
set -euo pipefail
need=()
command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || need+=(dovecot-core dovecot-imapd)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
command -v setpriv >/dev/null 2>&1 || need+=(util-linux)
# `onward watch` notifications: a private D-Bus session bus, and the dunst daemon on Xvfb.
command -v dbus-daemon >/dev/null 2>&1 || need+=(dbus-daemon)
command -v dbus-monitor >/dev/null 2>&1 || need+=(dbus-bin)
command -v Xvfb >/dev/null 2>&1 || need+=(xvfb)
command -v dunst >/dev/null 2>&1 || need+=(dunst)
# Debian's Chromium for the dashboard's browser tests (Playwright drives it; never a downloaded browser).
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "Installing system packages for the tests: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
# On a systemd host the package starts a system Dovecot; the tests use their own, so stop it.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $SUDO systemctl disable --now dovecot >/dev/null 2>&1 || true
  $SUDO systemctl disable --now postgresql >/dev/null 2>&1 || true
fi
