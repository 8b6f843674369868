#!/usr/bin/env bash
# Installs Debian's prometheus package (the server and promtool) when promtool is missing.
# The operations tests run promtool and a real Prometheus server; `make test` calls this first.
set -euo pipefail
if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
echo "installing Debian's prometheus package (promtool and the server) for the tests" >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus >/dev/null \
  || { $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive \
       apt-get install -y --no-install-recommends prometheus >/dev/null; }
# The package enables a system service; the tests start their own servers instead.
if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now prometheus >/dev/null 2>&1 || true; fi
command -v promtool
