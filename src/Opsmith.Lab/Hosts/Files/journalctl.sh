#!/bin/sh
# journalctl for Opsmith lab hosts (no systemd journal): `journalctl -u UNIT [-n N]` prints the end of the
# unit's log file; other options are accepted and ignored.
set -u
unit=; lines=50
while [ $# -gt 0 ]; do
  case $1 in
    -u | --unit) shift; unit=${1:-} ;;
    --unit=*) unit=${1#--unit=} ;;
    -n | --lines) shift; lines=${1:-50} ;;
    --lines=*) lines=${1#--lines=} ;;
    -n*) lines=${1#-n} ;;
    --since | --until | -p | --priority | -o | --output) shift ;;
    *) ;;
  esac
  shift
done
[ -n "$unit" ] || { echo "journalctl: the Opsmith lab only keeps per-unit logs; use -u UNIT" >&2; exit 1; }
case $unit in *.service) ;; *) unit=$unit.service ;; esac
[ -f "/run/opsmith-lab/units/$unit" ] || { echo "-- No entries --"; exit 0; }
Log=/dev/null
. "/run/opsmith-lab/units/$unit"
tail -n "$lines" "$Log" 2>/dev/null || echo "-- No entries --"
