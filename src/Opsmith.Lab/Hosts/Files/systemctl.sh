#!/bin/sh
# systemctl for Opsmith lab hosts. Lab hosts are network namespaces without systemd; this stands in for
# the part of systemctl that runbooks use (start, stop, restart, reload, is-active, is-failed, status,
# show, cat, list-units), driving the services described in /run/opsmith-lab/units/*.service. It is
# visible only inside lab hosts (bind-mounted on /usr/local/sbin there), never on the machine itself.
set -u
units=/run/opsmith-lab/units
state=/run/opsmith-lab/state
mkdir -p "$state"

fail() { echo "systemctl: $*" >&2; exit 1; }

# load UNIT: sets unit, file and the unit's fields; returns 1 when there is no such unit.
load() {
  unit=$1
  case $unit in *.service) ;; *) unit=$unit.service ;; esac
  file=$units/$unit
  [ -f "$file" ] || return 1
  Description=$unit; PidFile=; Log=/dev/null; Exec=; Daemon=no; User=root; Reload=; Ready=; StopSignal=TERM; KillMode=control-group
  . "$file"
}

mainpid() {
  p=
  [ -s "$PidFile" ] && p=$(head -n 1 "$PidFile" 2>/dev/null | tr -dc 0-9)
  echo "${p:-0}"
}

alive() {
  p=$(mainpid)
  [ "$p" -gt 0 ] || return 1
  s=$(ps -o stat= -p "$p" 2>/dev/null) || return 1
  case $s in Z*) return 1 ;; esac
  return 0
}

ready() {
  [ -z "$Ready" ] && return 0
  sh -c "$Ready" >/dev/null 2>&1
}

# The unit's processes are those of its session (systemd uses a cgroup): every unit starts in a session of its
# own, recorded once it runs, so what a dead main process leaves behind (workers, backends, a save child) is
# found and killed before the unit starts again, as systemd does. KillMode=process (sshd) spares the rest,
# so open SSH sessions survive a restart.
kill_leftovers() {
  [ -f "$state/$unit.sid" ] || return 0
  sid=$(tr -dc 0-9 <"$state/$unit.sid")
  rm -f "$state/$unit.sid"
  [ "$KillMode" = process ] && return 0
  [ -n "$sid" ] && [ "$sid" -gt 1 ] || return 0
  pkill -STOP -s "$sid" 2>/dev/null
  pkill -KILL -s "$sid" 2>/dev/null || return 0
  i=0
  while pgrep -s "$sid" >/dev/null 2>&1 && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  return 0
}

do_start() {
  alive && return 0
  kill_leftovers
  rm -f "$PidFile"
  if [ "$User" != root ] && [ "$Log" != /dev/null ]; then touch "$Log" && chown "$User" "$Log"; fi
  if [ "$Daemon" = yes ]; then
    if [ "$User" = root ]; then setsid -w sh -c "$Exec" >>"$Log" 2>&1 </dev/null
    else setsid -w setpriv --reuid="$User" --regid="$User" --init-groups -- sh -c "$Exec" >>"$Log" 2>&1 </dev/null
    fi || { echo "Job for $unit failed: the start command exited with $?; see $Log" >&2; return 1; }
  else
    run=$Exec
    [ "$User" = root ] || run="setpriv --reuid=$User --regid=$User --init-groups -- $Exec"
    setsid -f sh -c 'echo $$ >"$0"; exec '"$run"' >>"$1" 2>&1 </dev/null' "$PidFile" "$Log"
  fi
  i=0
  while [ "$i" -lt 200 ]; do
    if alive && ready; then ps -o sid= -p "$(mainpid)" | tr -dc 0-9 >"$state/$unit.sid"; return 0; fi
    sleep 0.1
    i=$((i + 1))
  done
  echo "Job for $unit failed: not running and ready after 20s; see $Log" >&2
  return 1
}

do_stop() {
  alive || { kill_leftovers; rm -f "$PidFile"; return 0; }
  p=$(mainpid)
  kill -s "$StopSignal" "$p" 2>/dev/null
  # A stopped (SIGSTOP) process acts on the signal only once continued; so do its workers.
  kill -s CONT "$p" 2>/dev/null
  pkill -CONT -P "$p" 2>/dev/null
  i=0
  while alive && [ "$i" -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
  if alive; then kill -s STOP "$p"; pkill -KILL -P "$p" 2>/dev/null; kill -s KILL "$p" 2>/dev/null; sleep 0.5; fi
  kill_leftovers
  rm -f "$PidFile"
  return 0
}

restarts() { cat "$state/$unit.restarts" 2>/dev/null || echo 0; }

# A main process that died without a stop (killed, crashed) leaves its pid file behind: systemd calls that failed.
active_state() {
  if alive; then echo active
  elif [ -f "$state/$unit.failed" ] || [ -s "$PidFile" ]; then echo failed
  else echo inactive
  fi
}

property() {
  case $1 in
    Id | Names) echo "$unit" ;;
    Description) echo "$Description" ;;
    LoadState) echo loaded ;;
    ActiveState) active_state ;;
    SubState) if alive; then echo running; else echo dead; fi ;;
    MainPID) if alive; then mainpid; else echo 0; fi ;;
    NRestarts) restarts ;;
    FragmentPath) echo "$file" ;;
    UnitFileState) echo enabled ;;
    Result) if [ -f "$state/$unit.failed" ]; then echo exit-code; elif ! alive && [ -s "$PidFile" ]; then echo signal; else echo success; fi ;;
    ExecMainStartTimestamp) if alive; then ps -o lstart= -p "$(mainpid)"; else echo; fi ;;
    *) echo ;;
  esac
}

quiet=no; value=no; properties=; command=; names=; states=
while [ $# -gt 0 ]; do
  case $1 in
    -q | --quiet) quiet=yes ;;
    --value) value=yes ;;
    --no-pager | --no-legend | --plain | --full | -l | --system | --no-block | --now) ;;
    --property=*) properties="$properties ${1#--property=}" ;;
    -p | --property) shift; properties="$properties ${1:-}" ;;
    -p*) properties="$properties ${1#-p}" ;;
    --state=*) states="$states $(echo "${1#--state=}" | tr ',' ' ')" ;;
    --type=* | --lines=* | -n*) ;;
    --) shift; names="$names $*"; break ;;
    -*) fail "option $1 is not supported by the Opsmith lab's systemctl" ;;
    *) if [ -z "$command" ]; then command=$1; else names="$names $1"; fi ;;
  esac
  shift
done
properties=$(echo "$properties" | tr ',' ' ')

case $command in
  '' | list-units)
    for f in "$units"/*.service; do
      load "$(basename "$f")"
      a=$(active_state)
      case " ${states:-$a} " in *" $a "*) ;; *) continue ;; esac
      if alive; then sub=running; else sub=dead; [ "$a" = failed ] && sub=failed; fi
      printf '%-40s loaded %-8s %-8s %s\n' "$unit" "$a" "$sub" "$Description"
    done
    exit 0 ;;
  daemon-reload | enable | disable) exit 0 ;;
esac

[ -n "$names" ] || fail "$command needs a unit name"
status=0
for name in $names; do
  if ! load "$name"; then
    case $command in
      is-active | is-failed) [ "$quiet" = yes ] || echo inactive; status=3; continue ;;
      show) echo "Id=$unit"; echo "LoadState=not-found"; echo "ActiveState=inactive"; continue ;;
      cat) echo "No files found for $unit." >&2; status=1; continue ;;
      status) echo "Unit $unit could not be found." >&2; status=4; continue ;;
      *) echo "Failed to $command $unit: Unit $unit not found." >&2; status=5; continue ;;
    esac
  fi
  case $command in
    start) do_start && rm -f "$state/$unit.failed" || { touch "$state/$unit.failed"; status=1; } ;;
    stop) do_stop ;;
    restart | try-restart | reload-or-restart)
      do_stop
      echo $(($(restarts) + 1)) >"$state/$unit.restarts"
      do_start && rm -f "$state/$unit.failed" || { touch "$state/$unit.failed"; status=1; } ;;
    reload)
      alive || { echo "$unit is not active, cannot reload." >&2; status=1; continue; }
      [ -n "$Reload" ] || { echo "Failed to reload $unit: Job type reload is not applicable for unit $unit." >&2; status=1; continue; }
      MAINPID=$(mainpid) sh -c "$Reload" || { echo "Job for $unit failed: the reload command exited non-zero; see $Log" >&2; status=1; } ;;
    is-active)
      s=$(active_state)
      [ "$quiet" = yes ] || echo "$s"
      [ "$s" = active ] || status=3 ;;
    is-failed)
      s=$(active_state)
      [ "$quiet" = yes ] || echo "$s"
      [ "$s" = failed ] || status=1 ;;
    status)
      s=$(active_state)
      echo "* $unit - $Description"
      echo "     Loaded: loaded ($file; enabled)"
      if [ "$s" = active ]; then echo "     Active: active (running)"; echo "   Main PID: $(mainpid)"; else echo "     Active: $s (dead)"; fi
      echo
      tail -n 10 "$Log" 2>/dev/null
      [ "$s" = active ] || status=3 ;;
    show)
      if [ -z "$properties" ]; then properties="Id Description LoadState ActiveState SubState MainPID NRestarts"; fi
      for prop in $properties; do
        if [ "$value" = yes ]; then property "$prop"; else echo "$prop=$(property "$prop")"; fi
      done ;;
    cat) echo "# $file"; cat "$file" ;;
    *) fail "'$command' is not supported by the Opsmith lab's systemctl (start, stop, restart, reload, is-active, is-failed, status, show, cat, list-units are)" ;;
  esac
done
exit "$status"
