#!/usr/bin/env bash
# Fan-out benchmark: a 3-command read-only skill on N real sshd hosts on loopback, with Opsmith (cold, then
# warm with multiplexed connections), Ansible (`ansible all -f N -m shell`) and pdsh (`-R ssh -f N`).
# Prints medians over REPEAT runs and the ratios. Needs root to install ansible/pdsh/openssh-server if missing.
#
#   bench/fanout.sh [HOSTS=50] [REPEAT=3]
#
# The hosts' logins skip the benchmarking user's ~/.bashrc (the bench's sshd sets SHLVL=1, and bash reads ~/.bashrc
# under sshd only at the first shell level): what is measured is the tools, not that file. On the machine these
# numbers come from, root's ~/.bashrc runs `pyenv init` — about 130 ms of CPU per login, and simultaneous logins
# spin on pyenv's rehash lock. FANOUT_LOGIN_RC=1 keeps it, as a fleet whose accounts have heavy rc files would.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
hosts=${1:-50}
repeat=${2:-3}

need=()
for package in openssh-server openssh-client ansible pdsh bc; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || need+=("$package")
done
if ((${#need[@]})); then
  echo "installing ${need[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
./opsmith --help >/dev/null   # build first, so no build is timed...
inproc_bin=$(mktemp -d /tmp/opsmith-bench-inproc-bin-XXXXXX)
dotnet build bench/Opsmith.Bench.Fanout -c Release -o "$inproc_bin" -nologo -v quiet >"$inproc_bin.log" 2>&1 \
  || { echo "building the in-process benchmark failed: see $inproc_bin.log" >&2; exit 1; }

work=$(mktemp -d /tmp/opsmith-bench-XXXXXX)
chmod 700 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for s in "$work"/home-*/data/ssh/*; do [[ -S $s ]] && ssh -S "$s" -O exit x 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p /run/sshd
# ...and time a private copy, so an edit to the sources during the run cannot trigger a rebuild.
cp -r .opsmith-build/bin "$work/opsmith-bin"

ssh-keygen -q -t ed25519 -N '' -f "$work/id" -C bench
cp "$work/id.pub" "$work/authorized_keys"
ssh-keygen -q -t ed25519 -N '' -f "$work/hostkey"
hostkey=$(cut -d' ' -f1,2 "$work/hostkey.pub")
: >"$work/known_hosts"
: >"$work/ssh_config"
port=$((20000 + RANDOM % 20000))
printf 'apiVersion: opsmith/v1\nkind: Inventory\ndefaults: {user: %s, identity_file: %s, known_hosts: %s, host_key_checking: strict}\nhosts:\n' \
  "$(id -un)" "$work/id" "$work/known_hosts" >"$work/inventory.yaml"
: >"$work/ansible.ini"
names=()
for i in $(seq 1 "$hosts"); do
  while ss -Hltn "sport = :$port" | grep -q .; do port=$((port + 1)); done
  cat >"$work/sshd-$i.conf" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $work/hostkey
PidFile none
AuthorizedKeysFile $work/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
PermitRootLogin prohibit-password
MaxStartups 200
MaxSessions 100
LogLevel ERROR
$([[ ${FANOUT_LOGIN_RC:-0} == 1 ]] || echo "SetEnv SHLVL=1")
CONF
  /usr/sbin/sshd -D -e -f "$work/sshd-$i.conf" 2>>"$work/sshd.log" &
  pids+=($!)
  echo "[127.0.0.1]:$port $hostkey" >>"$work/known_hosts"
  echo "  h$i: {address: 127.0.0.1, port: $port, groups: [bench]}" >>"$work/inventory.yaml"
  printf 'Host h%s\n  HostName 127.0.0.1\n  Port %s\n  User %s\n  IdentityFile %s\n  IdentitiesOnly yes\n  UserKnownHostsFile %s\n  StrictHostKeyChecking yes\n  BatchMode yes\n' \
    "$i" "$port" "$(id -un)" "$work/id" "$work/known_hosts" >>"$work/ssh_config"
  echo "h$i ansible_host=127.0.0.1 ansible_port=$port" >>"$work/ansible.ini"
  names+=("h$i")
  port=$((port + 1))
done
printf 'groups:\n  bench: {}\n' >>"$work/inventory.yaml"
sleep 1

commands='uname -r; uptime; df -P /'
now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc; }
# CPU time of the whole machine (every process: the tool, ssh clients, the sshd servers), in seconds: what a
# tool costs, less sensitive than wall time to a neighbour on a shared machine.
cpu() { awk -v hz="$(getconf CLK_TCK)" '/^cpu /{printf "%.2f", ($2 + $3 + $4 + $7 + $8) / hz}' /proc/stat; }
cpu_since() { echo "$(cpu) - $1" | bc; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

run_opsmith() { # $1 = OPSMITH_HOME
  local rc=0
  OPSMITH_HOME=$1 "$work/opsmith-bin/opsmith" run bench/skills/fanout-read.yaml -i "$work/inventory.yaml" --execute --parallel "$hosts" --output json >"$work/report.json" || rc=$?
  # set -e alone would end the script here without a word: say what failed, with the report's start.
  ((rc == 0)) && grep -q '"verdict": "succeeded"' "$work/report.json" ||
    { echo "opsmith run failed (exit $rc)" >&2; head -c 2000 "$work/report.json" >&2; exit 1; }
}
run_ansible() {
  ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_SSH_CONTROL_PATH_DIR="$work/ansible-cp-$1" ANSIBLE_PRIVATE_KEY_FILE="$work/id" \
  ANSIBLE_SSH_ARGS="-o UserKnownHostsFile=$work/known_hosts -o StrictHostKeyChecking=yes -o ControlMaster=auto -o ControlPersist=60s" \
  ANSIBLE_PYTHON_INTERPRETER=auto_silent ANSIBLE_STDOUT_CALLBACK=minimal ANSIBLE_LOCALHOST_WARNING=False \
    ansible all -i "$work/ansible.ini" -f "$hosts" -m shell -a "$commands" >"$work/ansible.out" 2>&1 \
    || { echo "ansible failed" >&2; tail -20 "$work/ansible.out" >&2; exit 1; }
}
run_pdsh() {
  PDSH_SSH_ARGS_APPEND="-F $work/ssh_config" pdsh -R ssh -f "$hosts" -w "$(IFS=,; echo "${names[*]}")" "$commands" >"$work/pdsh.out" 2>&1 \
    || { echo "pdsh failed" >&2; tail -20 "$work/pdsh.out" >&2; exit 1; }
  [[ $(grep -c ': Linux\|^h[0-9]*: [0-9]' "$work/pdsh.out") -ge $hosts ]] || true
}

declare -A times cpus
for r in $(seq 1 "$repeat"); do
  home="$work/home-$r"
  timed() { # $1 = key, then the command
    local key=$1 t c; shift
    t=$(now); c=$(cpu); "$@"; times[$key]+="$(elapsed "$t") "; cpus[$key]+="$(cpu_since "$c") "
  }
  timed opsmith_cold run_opsmith "$home"
  timed opsmith_warm run_opsmith "$home"
  timed pdsh run_pdsh
  timed ansible run_ansible "$r"
  echo "run $r/$repeat done" >&2
done

m() { tr ' ' '\n' <<<"${times[$1]}" | grep . | median; }
mc() { tr ' ' '\n' <<<"${cpus[$1]}" | grep . | median; }
cold=$(m opsmith_cold); warm=$(m opsmith_warm); pdsh_t=$(m pdsh); ansible_t=$(m ansible)
per_command_ms=$(echo "$warm * 1000 / ($hosts * 3)" | bc -l)
login_rc=$([[ ${FANOUT_LOGIN_RC:-0} == 1 ]] && echo "reading the user's ~/.bashrc" || echo "without the user's ~/.bashrc")
printf '\nFan-out of 3 read-only commands to %s sshd hosts on loopback (logins %s), median of %s runs (seconds)\n\n' "$hosts" "$login_rc" "$repeat"
printf '| tool | median wall time (s) | median CPU time, all processes (s) |\n|---|---|---|\n'
printf '| opsmith run, cold (new connections) | %.2f | %.2f |\n' "$cold" "$(mc opsmith_cold)"
printf '| opsmith run, warm (ControlMaster reused) | %.2f | %.2f |\n' "$warm" "$(mc opsmith_warm)"
printf '| pdsh -R ssh -f %s | %.2f | %.2f |\n' "$hosts" "$pdsh_t" "$(mc pdsh)"
printf '| ansible all -f %s -m shell | %.2f | %.2f |\n\n' "$hosts" "$ansible_t" "$(mc ansible)"
printf 'ratios: opsmith cold / ansible = %.3f (target <= 0.25); opsmith cold / pdsh = %.3f (target <= 1.0)\n' \
  "$(echo "$cold / $ansible_t" | bc -l)" "$(echo "$cold / $pdsh_t" | bc -l)"
printf 'warm CLI: %.1f ms per command per host (wall time / (hosts x 3)), including process start-up and one new session per host\n' "$per_command_ms"
"$inproc_bin/Opsmith.Bench.Fanout" "$work/inventory.yaml" bench 5
rm -rf "$inproc_bin" "$inproc_bin.log"
