#!/usr/bin/env bash
# validate benchmark: writes COUNT distinct skills (every command differs, so nothing is shared between
# skills and the lint cache cannot help the cold run) into a temporary folder, then times `opsmith validate`
# on it twice with a fresh OPSMITH_HOME: cold (empty lint cache) and warm (every command cached).
# Needs shellcheck (apt-get install shellcheck). Not part of the test suite.
#
#   bench/validate.sh [COUNT=1000]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
count="${1:-1000}"

command -v shellcheck >/dev/null || { echo "bench/validate.sh: shellcheck is not installed (apt-get install shellcheck)" >&2; exit 2; }
./opsmith --help >/dev/null # builds the tool first, so the build is not timed

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/skills" "$work/home"
for ((i = 1; i <= count; i++)); do
  cat >"$work/skills/skill-$i.yaml" <<YAML
apiVersion: opsmith/v1
kind: Skill
metadata:
  name: restart-app-$i
  title: Restart app $i
  description: Restarts app $i and checks that it answers.
  stage: recovery
spec:
  inputs:
    host: {type: host, required: true}
    unit: {type: string, default: app-$i}
    port: {type: int, default: "$((8000 + i % 1000))", min: 1, max: 65535}
  targets: "{{ inputs.host }}"
  risk: service-mutation
  preconditions:
    - name: unit-exists
      run: systemctl cat -- {{ inputs.unit }} >/dev/null && test -d /var/lib/app-$i
  actions:
    - name: restart
      run: |
        logger -t opsmith "restarting app $i"
        systemctl restart -- {{ inputs.unit }}
      check: systemctl cat -- {{ inputs.unit }} >/dev/null
      on_failure: rollback
  success_criteria:
    - name: listening
      run: ss -Hltn sport = :{{ inputs.port }} | grep -q . && test -s /var/lib/app-$i/ready
      retry: {attempts: 5, interval: 2s}
  rollback:
    - name: start
      run: systemctl start -- {{ inputs.unit }} || journalctl --no-pager -n 20 --unit=app-$i
YAML
done

echo "validate: $count skills, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(shellcheck --version | sed -n 2p)" >&2
scripts=$(grep -cE '^ +(run|check): ' "$work"/skills/*.yaml | awk -F: '{ n += $2 } END { print n }')
echo "$scripts shell commands in all, each one different" >&2
for run in cold warm; do
  # Wall time, and CPU time (user + system, the tool and its shellcheck children), which a busy machine disturbs less.
  OPSMITH_HOME="$work/home" /usr/bin/time -f '%e %U %S' -o "$work/$run.time" ./opsmith validate "$work/skills" >"$work/$run.out" ||
    { tail -5 "$work/$run.out" >&2; exit 1; }
  read -r wall user system <"$work/$run.time"
  printf '%s: %.2f s wall, %.2f s CPU  (%s)\n' "$run" "$wall" "$(echo "$user + $system" | bc)" "$(tail -1 "$work/$run.out")"
done
cmp -s "$work/cold.out" "$work/warm.out" && echo "cold and warm outputs are identical" || { echo "cold and warm outputs differ" >&2; exit 1; }
