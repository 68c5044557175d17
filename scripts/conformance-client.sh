#!/bin/sh
# The conformance suite's client, played by ordinary `agent` commands (no conformance-only code
# in src/). The runner appends the scenario's server URL as the last argument and sets
# MCP_CONFORMANCE_SCENARIO (and MCP_CONFORMANCE_CONTEXT, JSON, for scenarios with pre-registered
# credentials). Each scenario maps to what a user would type; see scripts/conformance.ts.
#   AGENT    the binary (default: dist/agent next to this script)
#   BROWSER  a headless user agent for the OAuth authorization URL (scripts/conformance/headless-browser.sh)
set -u

for url in "$@"; do :; done
[ -n "${url:-}" ] || { echo "usage: $0 URL (MCP_CONFORMANCE_SCENARIO set)" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
agent=${AGENT:-$here/../dist/agent}
scenario=${MCP_CONFORMANCE_SCENARIO:-}
log=${CONFORMANCE_HARNESS_DIR:+$CONFORMANCE_HARNESS_DIR/client.stderr}
log=${log:-/dev/null}

# Runs one agent command; stderr goes to the runner (shown in its log) and to client.stderr.
run() {
  echo "+ agent $*" >>"$log"
  "$agent" "$@" 2>>"$log"
  rc=$?
  [ "$rc" -eq 0 ] || echo "  exit $rc" >>"$log"
  return "$rc"
}

# Auth scenarios: the mcp.json a user would write (secrets as approved ${VAR} references, see
# conformance/auth-config.ts), then what they would run: sign in (the browser is $BROWSER,
# the headless user agent), list the tools, call one. The server is named "conformance".
auth_flow() {
  cfg=${AGENTRT_HOME:-${TMPDIR:-/tmp}}/conformance-mcp.json
  bun=${BUN:-$here/../node_modules/.bin/bun}
  setup=$("$bun" "$here/conformance/auth-config.ts" "$cfg" "$url") || return 1
  eval "$setup"
  # shellcheck disable=SC2086 # APPROVE is a list of flags
  run mcp auth conformance --mcp "$cfg" $APPROVE || return $?
  # shellcheck disable=SC2086
  tool=$("$agent" mcp tools conformance --mcp "$cfg" $APPROVE --output json 2>>"$log" | sed -n 's/.*"tool": *"\([^"]*\)".*/\1/p' | head -n 1)
  [ -n "$tool" ] || { echo "no tool listed" >>"$log"; return 1; }
  # shellcheck disable=SC2086
  run mcp call conformance "$tool" --mcp "$cfg" $APPROVE >/dev/null
}

case "$scenario" in
initialize)
  # Connect (initialize + initialized), list, close.
  run mcp list --url "$url" --output json >/dev/null
  ;;
tools_call)
  run mcp tools --url "$url" --output json >/dev/null &&
    run mcp call add_numbers --url "$url" --arg a=5 --arg b=3
  ;;
sse-retry)
  # The server closes the call's SSE stream after a `retry: 500` priming event; the answer
  # arrives only on the GET the client must open with Last-Event-ID about 500 ms later.
  run mcp call test_reconnection --url "$url"
  ;;
elicitation-sep1034-client-defaults)
  # Non-interactive: the form is accepted with the schema's defaults (SEP-1034), as asked.
  run mcp call test_client_elicitation_defaults --url "$url" --no-interactive --elicit defaults
  ;;
sep-2640-client-no-prefetch)
  # Skills extension: list the skills; a listing must read no skill file.
  run mcp skills --url "$url" --output json >/dev/null
  ;;
sep-2640-client-verify-digest | sep-2640-client-verify-size | sep-2640-client-verify-frontmatter)
  # Load the skill: its SKILL.md fails one check, so agent must refuse it (exit 1) and read no more.
  run mcp skill pdf-processing --url "$url"
  ;;
auth/dpop | auth/dpop-nonce)
  # DPoP (RFC 9449): the AS advertises ES256 DPoP, so the plain sign-in binds the tokens to a key
  # kept with them; `mcp tools` and `mcp call` (new processes) present them with fresh proofs, and
  # answer the AS's and the server's use_dpop_nonce (dpop-nonce) with one retry each.
  auth_flow
  ;;
auth/wif-jwt-bearer)
  # Workload identity federation: oauth.grant jwt_bearer with the CI's JWT from an approved ${VAR}.
  auth_flow
  ;;
auth/*)
  auth_flow
  ;;
*)
  echo "conformance-client.sh: no mapping for scenario '$scenario'" >&2
  exit 2
  ;;
esac
status=$?
[ "$log" = /dev/null ] || cat "$log" >&2
exit "$status"
