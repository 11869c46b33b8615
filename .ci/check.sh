# One step of a CI script, bounded so that a loaded machine does not fail it while a real hang still does.
# Sourced by .ci/package-check.sh; expects LOG (a scratch file) and failures (a counter).

# How much longer than its CPU bound a step may take on the wall clock. A loaded machine (CI shares its cores) slows
# a step's wall time several-fold but not its CPU time, so the CPU bound is what catches a compiler that spins, and
# this only catches a step that waits forever (a hung install, a server that never answers).
WALL_FACTOR=${WALL_FACTOR:-5}

# check NAME SECONDS COMMAND...: runs COMMAND with each of its processes bounded to SECONDS of CPU time and the
# whole to SECONDS × WALL_FACTOR on the wall clock; prints "ok" or "FAIL" with NAME, and on failure the reason and
# the end of its output.
check() {
  local name=$1 seconds=$2 start status wall
  shift 2
  wall=$((seconds * WALL_FACTOR))
  start=$SECONDS
  set +e
  # A child bash, so that COMMAND may be one of the functions below (exported), run with -e; `ulimit -t` there
  # bounds the CPU time of every process it starts (SIGXCPU at the soft limit, SIGKILL 10 s later).
  timeout --kill-after=10 "$wall" bash -euo pipefail -c 'ulimit -t $(($1 + 10)); ulimit -S -t "$1"; shift; "$@"' check "$seconds" "$@" >"$LOG" 2>&1
  status=$?
  set -e
  if [ $status -eq 0 ]; then
    printf 'ok   %-58s %3ss\n' "$name" $((SECONDS - start))
  else
    failures=$((failures + 1))
    case $status in
      124 | 137) echo "(stopped after ${wall}s on the wall clock, within its ${seconds}s of CPU per process: it was waiting on something; load average: $(cut -d' ' -f1-3 /proc/loadavg))" >>"$LOG" ;;
      152 | 158) echo "(a process used more than ${seconds}s of CPU time: a hang, not load)" >>"$LOG" ;;
    esac
    printf 'FAIL %-58s %3ss\n' "$name" $((SECONDS - start))
    tail -n 40 "$LOG" | sed 's/^/     | /'
  fi
  return 0
}
