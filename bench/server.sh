#!/usr/bin/env bash
# Server benchmark (docs/performance.md): `opsmith serve` on loopback with 1,000 active skills, measured with wrk
# (bounded: fixed duration, fixed connections, 127.0.0.1 only):
#   1. GET /api/skills            (a read: the whole active catalog as JSON)
#   2. GET /api/skills?q=…        (a read: a filtered page)
#   3. POST /api/validate         (live validation of unsaved YAML)
#   4. POST …/execute → first SSE event, REPEAT times, on a local inventory host (a dry run)
#
#   bench/server.sh [SKILLS=1000] [SECONDS=10] [REPEAT=20]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
skills=${1:-1000}
seconds=${2:-10}
repeat=${3:-20}

for program in wrk jq curl; do
  if ! command -v "$program" >/dev/null; then
    echo "installing $program" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$program" >/dev/null
  fi
done
./opsmith --help >/dev/null   # build first, so no build is timed
work=$(mktemp -d /tmp/opsmith-bench-server-XXXXXX)
server=""
cleanup() {
  [[ -n $server ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cp -r .opsmith-build/bin "$work/bin"
export OPSMITH_HOME="$work/home" OPSMITH_ACTOR=bench-author
opsmith="$work/bin/opsmith"
port=$((20000 + RANDOM % 20000))
base="http://127.0.0.1:$port"
printf 'apiVersion: opsmith/v1\nkind: Inventory\nhosts:\n  self: {connection: local}\n' >"$work/inventory.yaml"

author=$("$opsmith" tokens create --role operator --for bench-author)
reviewer=$("$opsmith" tokens create --role approver --for bench-reviewer)
Opsmith__RequestsPerSecond=1000000 "$opsmith" serve --listen "$base" --inventory "$work/inventory.yaml" 2>"$work/server.log" &
server=$!
for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done

skill() { # NAME → a small read skill as a JSON request body
  jq -cn --arg name "$1" '{yaml: ("apiVersion: opsmith/v1\nkind: Skill\nmetadata: {name: " + $name + ", title: Bench skill " + $name + ", description: Reads the load average., stage: diagnosis, category: bench, tags: [bench]}\nspec:\n  targets: self\n  risk: read\n  actions:\n    - name: look\n      run: cat /proc/loadavg\n")}'
}
echo "seeding $skills skills through the API (propose, then approve as another person)..." >&2
seed_start=$(date +%s)
for i in $(seq 1 "$skills"); do
  id=$(skill "bench-skill-$i" | curl -fs -H "Authorization: Bearer $author" -H 'Content-Type: application/json' --data @- "$base/api/skills" | jq -r .id)
  curl -fs -X POST -H "Authorization: Bearer $reviewer" "$base/api/reviews/$id/approve" >/dev/null
done
echo "seeded in $(( $(date +%s) - seed_start ))s" >&2
count=$(curl -fs -H "Authorization: Bearer $author" "$base/api/skills?status=active" | jq '.skills | length')
[[ $count == "$skills" ]] || { echo "expected $skills active skills, the server lists $count" >&2; exit 1; }

report() { # LABEL FILE → "label: req/s, p50, p99"
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$2")
  p50=$(awk '$1 == "50%" {print $2}' "$2")
  p99=$(awk '$1 == "99%" {print $2}' "$2")
  printf '%-34s %10s req/s   p50 %8s   p99 %8s\n' "$1" "$rps" "$p50" "$p99"
}
cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $author"
wrk.body = [[$(skill bench-validate)]]
LUA
wrk -t2 -c32 -d"${seconds}s" --latency -H "Authorization: Bearer $author" "$base/api/skills" >"$work/list.txt"
wrk -t2 -c32 -d"${seconds}s" --latency -H "Authorization: Bearer $author" "$base/api/skills?q=bench-skill-99&status=active" >"$work/query.txt"
wrk -t2 -c32 -d"${seconds}s" --latency -s "$work/post.lua" "$base/api/validate" >"$work/validate.txt"

firsts=()
for _ in $(seq 1 "$repeat"); do
  start=$(date +%s%N)
  id=$(curl -fs -X POST -H "Authorization: Bearer $author" -H 'Content-Type: application/json' --data '{"execute": false}' \
    "$base/api/skills/bench-skill-1/execute" | jq -r .execution_id)
  curl -fsN -H "Authorization: Bearer $author" "$base/api/executions/$id/events" | grep -m1 '^event:' >/dev/null || true
  firsts+=($(( ($(date +%s%N) - start) / 1000000 )))
done
sorted=($(printf '%s\n' "${firsts[@]}" | sort -n))

echo "opsmith serve, $skills active skills, wrk -t2 -c32 -d${seconds}s on 127.0.0.1 ($(nproc) cores)"
report "GET /api/skills (all $skills)" "$work/list.txt"
report "GET /api/skills?q=… (filtered)" "$work/query.txt"
report "POST /api/validate" "$work/validate.txt"
printf '%-34s median %s ms   max %s ms   (%s runs)\n' "execute → first SSE event" "${sorted[$(( ${#sorted[@]} / 2 ))]}" "${sorted[-1]}" "$repeat"
