#!/usr/bin/env bash
# Wraps the client command that the conformance runner spawns (copied from the
# shared conformance harness; scripts/conformance.ts uses it).
#
# Why: the runner (0.1.16) spawns the client through `sh -c` and, on timeout,
# SIGTERMs only that shell; it then waits for the client's stdout/stderr pipes
# to close. A client that leaves children behind (wrapper scripts, spawned
# stdio servers, ...) keeps those pipes open and hangs the runner. This wrapper
#   * runs the client in its own process group,
#   * enforces CONFORMANCE_WRAP_DEADLINE_MS itself (kills the whole group, exits
#     124 and drops a marker file client-timeout in the scenario's directory),
#   * kills any leftovers of that group once the client exits,
#   * records the client's exit code (client.rc): in requirement-set mode the
#     runner runs every scenario at once and reports no exit code per scenario.
# The scenario's directory is $CONFORMANCE_RUN_DIR/<scenario with / as __>.
# Arguments are passed through unchanged (the runner appends the server URL).
set -m # job control: each background job gets its own process group

dir=""
if [ -n "${CONFORMANCE_RUN_DIR:-}" ] && [ -n "${MCP_CONFORMANCE_SCENARIO:-}" ]; then
  dir="$CONFORMANCE_RUN_DIR/$(printf '%s' "$MCP_CONFORMANCE_SCENARIO" | sed 's#/#__#g')"
  mkdir -p "$dir"
fi

# Requirement-set mode starts every client at once; on a small machine 40 agents starting
# together miss their own connect timeouts. CONFORMANCE_SLOTS=N lets N clients run at a time
# (the others wait here, before their deadline starts); each takes a slot directory.
slot=""
if [ -n "${CONFORMANCE_SLOTS:-}" ] && [ -n "${CONFORMANCE_RUN_DIR:-}" ]; then
  mkdir -p "$CONFORMANCE_RUN_DIR/slots"
  while [ -z "$slot" ]; do
    i=1
    while [ "$i" -le "$CONFORMANCE_SLOTS" ]; do
      if mkdir "$CONFORMANCE_RUN_DIR/slots/$i" 2>/dev/null; then
        slot="$CONFORMANCE_RUN_DIR/slots/$i"
        break
      fi
      i=$((i + 1))
    done
    [ -n "$slot" ] || sleep 0.2
  done
fi
release() { [ -z "$slot" ] || rmdir "$slot" 2>/dev/null; }

"$@" &
pid=$!

deadline_ms="${CONFORMANCE_WRAP_DEADLINE_MS:-28500}"
secs="$(awk -v ms="$deadline_ms" 'BEGIN { printf "%.3f", ms / 1000 }')"

watchdog() {
  sleep "$secs"
  if [ -n "$dir" ]; then
    : >"$dir/client-timeout"
  fi
  kill -TERM -- "-$pid" 2>/dev/null
  sleep 2
  kill -KILL -- "-$pid" 2>/dev/null
}
watchdog </dev/null >/dev/null 2>&1 &
wd=$!
disown "$wd" 2>/dev/null # no job-control "Killed" notice for the watchdog

trap 'kill -TERM -- "-$pid" 2>/dev/null; sleep 1; kill -KILL -- "-$pid" 2>/dev/null; kill -KILL -- "-$wd" 2>/dev/null; release; exit 143' TERM INT HUP

wait "$pid"
rc=$?
kill -KILL -- "-$wd" 2>/dev/null
kill -KILL -- "-$pid" 2>/dev/null # leftovers of the client's process group
release
if [ -n "$dir" ] && [ -f "$dir/client-timeout" ]; then
  rc=124
fi
[ -z "$dir" ] || echo "$rc" >"$dir/client.rc"
exit "$rc"
