#!/usr/bin/env bash
# Audit append benchmark: RECORDS records appended in batches of BATCH to a fresh SQLite trail and to a
# fresh PostgreSQL server (started from Debian's postgresql package with fsync on), plus SINGLE unbatched
# appends, then the whole chain verified. Prints appends/s and verify records/s per database.
# Needs root to install postgresql if missing. Not part of the test suite.
#
#   bench/audit.sh [RECORDS=200000] [BATCH=500] [SINGLE=2000]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! dpkg-query -W -f='${Status}' postgresql 2>/dev/null | grep -q "install ok installed"; then
  echo "installing postgresql" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi

out=bench/Opsmith.Bench.Audit/bin/bench
dotnet build bench/Opsmith.Bench.Audit/Opsmith.Bench.Audit.csproj -c Release -o "$out" -nologo -v quiet >/dev/null
echo "audit appends: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), data in ${TMPDIR:-/tmp}" >&2
dotnet "$out/Opsmith.Bench.Audit.dll" "${1:-200000}" "${2:-500}" "${3:-2000}"
