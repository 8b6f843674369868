#!/usr/bin/env bash
# Installs the Debian packages whose programs the deploy tests run for real, when missing:
#   prometheus              promtool and the server (tests/deploy/test_files.py, dashboards)
#   prometheus-alertmanager the Alertmanager the notifier delivers to (tests/deploy/test_alertmanager.py)
#   bubblewrap              bwrap, the read-only root the systemd units run in (test_systemd_units.py)
# `make test` calls it first; the tests call it themselves when a program is missing.
set -euo pipefail
declare -A PACKAGE=(
    [promtool]=prometheus
    [prometheus]=prometheus
    [prometheus-alertmanager]=prometheus-alertmanager
    [bwrap]=bubblewrap
)
missing=()
for program in "${!PACKAGE[@]}"; do
    command -v "$program" >/dev/null 2>&1 || missing+=("${PACKAGE[$program]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
echo "installing Debian packages for the deploy tests: ${missing[*]}" >&2
install() {
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null
}
install "${missing[@]}" || { $SUDO apt-get update -qq && install "${missing[@]}"; }
# The server packages enable system services; the tests start their own servers on free ports.
if command -v systemctl >/dev/null 2>&1; then
    for service in prometheus prometheus-alertmanager; do
        $SUDO systemctl disable --now "$service" >/dev/null 2>&1 || true
    done
fi
