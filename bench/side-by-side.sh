#!/usr/bin/env bash
# validate and fan-out measured side by side in one run, as docs/performance.md reports them: the load average
# before and after each half, then bench/validate.sh COUNT and bench/fanout.sh HOSTS REPEAT one after the other.
# Needs root (fanout.sh installs pdsh/ansible when missing) and shellcheck.
#
#   bench/side-by-side.sh [COUNT=1000] [HOSTS=50] [REPEAT=3]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
echo "commit $(git rev-parse --short HEAD), $(nproc) cores, $(date -u '+%F %T') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg)"
bench/validate.sh "${1:-1000}"
echo "after validate: load average $(cut -d' ' -f1-3 /proc/loadavg)"
bench/fanout.sh "${2:-50}" "${3:-3}"
echo "after fan-out: $(date -u '+%T') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg)"
