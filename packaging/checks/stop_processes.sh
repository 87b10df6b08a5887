#!/usr/bin/env bash
# Stops the daemon and the simulator the checks started (by their recorded pids), daemon first.
set -uo pipefail
work=${MAASPROV_CHECK_WORK:?}
for name in maasprovd maas-sim; do
  [ -f "$work/$name.pid" ] || continue
  pid=$(cat "$work/$name.pid")
  rm -f "$work/$name.pid"
  kill -TERM "$pid" 2>/dev/null || continue
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
done
exit 0
