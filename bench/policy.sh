#!/usr/bin/env bash
# Policy-decision latency (p50/p99): classify + decide for every command of the classifier corpora, timed one
# decision at a time, in Release. Usage: bench/policy.sh [ROUNDS=200]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=$(mktemp -d /tmp/opsmith-bench-policy-XXXXXX)
trap 'rm -rf "$out"' EXIT
dotnet build bench/Opsmith.Bench.Policy -c Release -o "$out" -nologo -v quiet >"$out/build.log" 2>&1 \
  || { cat "$out/build.log" >&2; exit 1; }
"$out/Opsmith.Bench.Policy" tests/Opsmith.Policy.Tests/Corpus "${1:-200}"
