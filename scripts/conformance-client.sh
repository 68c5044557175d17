#!/bin/sh
# The conformance suite's client, played by ordinary `agent` commands (no conformance-only code
# in src/). The runner appends the scenario's server URL as the last argument and sets
# MCP_CONFORMANCE_SCENARIO (and MCP_CONFORMANCE_CONTEXT, JSON, for scenarios that hand the
# client credentials or tool arguments). Each scenario maps to what a user would type; one
# `case` branch per scenario (or per group that runs the same commands). See scripts/conformance.ts.
#   AGENT    the binary (default: dist/agent next to this script)
#   BROWSER  a headless user agent for the OAuth authorization URL (scripts/conformance/headless-browser.sh)
#   CONFORMANCE_RUN_DIR  where scenario directories go (client.stderr lands in <dir>/<scenario, / as __>/)
set -u

for url in "$@"; do :; done
[ -n "${url:-}" ] || { echo "usage: $0 URL (MCP_CONFORMANCE_SCENARIO set)" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
agent=${AGENT:-$here/../dist/agent}
bun=${BUN:-$here/../node_modules/.bin/bun}
scenario=${MCP_CONFORMANCE_SCENARIO:-}
log=/dev/null
if [ -n "${CONFORMANCE_RUN_DIR:-}" ]; then
  dir="$CONFORMANCE_RUN_DIR/$(printf '%s' "$scenario" | sed 's#/#__#g')"
  mkdir -p "$dir" && log="$dir/client.stderr"
fi

# A private AGENTRT_HOME for this one client run: config, approvals, tokens and remembered protocol
# eras never leak from one scenario to another (requirement-set mode runs them all at once).
home=$(mktemp -d "${AGENTRT_HOME:-${TMPDIR:-/tmp}}/agent-home.XXXXXX") || exit 1
AGENTRT_HOME=$home
export AGENTRT_HOME
trap 'rm -rf "$home"' EXIT
tab=$(printf '\t')

# Runs one agent command; stderr goes to the runner (shown in its log) and to client.stderr.
run() {
  echo "+ agent $*" >>"$log"
  "$agent" "$@" 2>>"$log" </dev/null
  rc=$?
  [ "$rc" -eq 0 ] || echo "  exit $rc" >>"$log"
  return "$rc"
}

# Calls each `TOOL<TAB>ARGS` line of stdin with `agent mcp call TOOL --url URL --json ARGS`.
call_each() {
  status=0
  while IFS="$tab" read -r name args; do
    [ -n "$name" ] || continue
    run mcp call "$name" --url "$url" --json "$args" >/dev/null || status=$?
  done
  return "$status"
}

# Auth scenarios: the mcp.json a user would write (secrets as approved ${VAR} references, see
# conformance/auth-config.ts), then what they would run: sign in (the browser is $BROWSER,
# the headless user agent), list the tools, call one. The server is named "conformance".
auth_flow() {
  cfg=$AGENTRT_HOME/conformance-mcp.json
  setup=$("$bun" "$here/conformance/auth-config.ts" "$cfg" "$url") || return 1
  eval "$setup"
  # shellcheck disable=SC2086 # APPROVE is a list of flags
  run mcp auth conformance --mcp "$cfg" $APPROVE || return $?
  # shellcheck disable=SC2086
  tool=$("$agent" mcp tools conformance --mcp "$cfg" $APPROVE --output json 2>>"$log" </dev/null | sed -n 's/.*"tool": *"\([^"]*\)".*/\1/p' | head -n 1)
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
request-metadata)
  # Connect and list: every request carries _meta (protocol version, client info and
  # capabilities) and MCP-Protocol-Version; the server refuses the first one (-32022) once.
  run mcp tools --url "$url" --output json >/dev/null
  ;;
sep-2322-client-request-state)
  # Each test tool, as a user would try them; the server asks for input (input_required), the
  # form is answered non-interactively with its defaults, and the call is retried with it.
  for tool in test_mrtr_echo_state test_mrtr_no_state test_mrtr_unrelated test_mrtr_no_result_type; do
    run mcp call "$tool" --url "$url" --no-interactive --elicit defaults >/dev/null || status=$?
  done
  (exit "${status:-0}")
  ;;
http-standard-headers)
  # One of each request that carries Mcp-Method / Mcp-Name: tools, resources and prompts.
  run mcp tools --url "$url" --output json >/dev/null &&
    run mcp call test_headers --url "$url" >/dev/null &&
    run mcp call my-hyphenated-tool --url "$url" >/dev/null &&
    run mcp resources --url "$url" --output json >/dev/null &&
    run mcp read 'file:///path/to/file%20name.txt' --url "$url" --output json >/dev/null &&
    run mcp prompts --url "$url" --output json >/dev/null &&
    run mcp prompt test_prompt --url "$url" --output json >/dev/null
  ;;
http-custom-headers)
  # The calls the scenario asks for (its context), with those arguments as typed JSON.
  "$bun" "$here/conformance/tool-args.ts" context | call_each
  ;;
http-invalid-tool-headers)
  # List the tools, then call every tool agent lists: a tool with an invalid x-mcp-header must
  # not be listed (so it is never called), and the valid one must still work.
  "$agent" mcp tools --url "$url" --output json 2>>"$log" </dev/null >"$home/tools.json" &&
    "$bun" "$here/conformance/tool-args.ts" listed <"$home/tools.json" | call_each
  ;;
json-schema-ref-no-deref)
  # List the tools with their schemas; a network $ref in one must not be fetched.
  run mcp tools --url "$url" --output json >/dev/null
  ;;
json-schema-2020-12-preservation)
  # List the tools, then hand the focal tool's inputSchema, as agent printed it, to the echo tool.
  "$agent" mcp tools --url "$url" --output json 2>>"$log" </dev/null >"$home/tools.json" &&
    "$bun" "$here/conformance/tool-args.ts" echo json_schema_2020_12_tool json_schema_echo <"$home/tools.json" | call_each
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
