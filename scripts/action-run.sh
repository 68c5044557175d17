#!/usr/bin/env bash
# The `agent run` step of action.yml, kept here so it runs (and is tested) outside GitHub.
# Inputs arrive as environment variables (action.yml maps each `inputs.<name>` to INPUT_<NAME> through
# `env:`), never spliced into a script, so a prompt cannot inject shell code.
#
#   INPUT_PROMPT (required)  the task, given to `agent run -` on stdin
#   INPUT_MODEL              --model
#   INPUT_MCP_CONFIG         --mcp FILE
#   INPUT_MCP_JSON           a config's JSON content (e.g. a secret), written to a 0600 temp
#                            file passed as --mcp and removed afterwards
#   INPUT_OUTPUT             text | json (default) | stream-json
#   INPUT_APPROVE_ENV        variable names, separated by newlines, commas or spaces
#   INPUT_ARGS               extra arguments: one per line, or split on spaces if on one line
#   INPUT_CONTINUE_ON_ERROR  "true": end the step with 0 whatever agent's exit code
#   INPUT_ARTIFACT_NAME      the report artifact's name (default: agent-report-<job>-<random>)
#   AGENT_BIN                the agent to run (default: agent on PATH)
#   RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_JOB   as a runner sets them
#
# Writes $RUNNER_TEMP/agent-report.json (json and stream-json: the run's RunReport), plus
# agent-events.jsonl for stream-json or agent-output.txt for text, and the step outputs
# exit-code, result (the model's final answer), report (the report's path) and artifact-name.
set -uo pipefail

fail() { echo "::error title=agentrt::$*" >&2; exit 2; }
: "${RUNNER_TEMP:?RUNNER_TEMP is not set (the runner sets it)}"
: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set (the runner sets it)}"
[ -n "${INPUT_PROMPT:-}" ] || fail "the prompt input is empty"
output=${INPUT_OUTPUT:-json}
case $output in text | json | stream-json) ;; *) fail "output must be text, json or stream-json, got: $output" ;; esac
agent=${AGENT_BIN:-agent}

args=(run --output "$output" --no-interactive)
[ -n "${INPUT_MODEL:-}" ] && args+=(--model "$INPUT_MODEL")
if [ -n "${INPUT_MCP_CONFIG:-}" ]; then
  [ -f "$INPUT_MCP_CONFIG" ] || fail "mcp-config: no such file: $INPUT_MCP_CONFIG"
  args+=(--mcp "$INPUT_MCP_CONFIG")
fi
secret_config=""
trap '[ -z "$secret_config" ] || rm -f "$secret_config"' EXIT
if [ -n "${INPUT_MCP_JSON:-}" ]; then
  secret_config="$RUNNER_TEMP/agentrt-mcp-$$-$RANDOM$RANDOM.json"
  # umask 077: the file is 0600 from its first byte; noclobber: never write into a planted file.
  (umask 077 && set -C && printf '%s\n' "$INPUT_MCP_JSON" >"$secret_config") || fail "cannot write $secret_config"
  args+=(--mcp "$secret_config")
fi
for name in ${INPUT_APPROVE_ENV//,/ }; do
  [[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || fail "approve-env: not a variable name: $name"
  args+=(--approve-env "$name")
done
if [ -n "${INPUT_ARGS:-}" ]; then
  if [[ $INPUT_ARGS == *$'\n'* ]]; then
    while IFS= read -r line; do [ -z "$line" ] || args+=("$line"); done <<<"$INPUT_ARGS"
  else
    read -r -a extra <<<"$INPUT_ARGS"
    args+=("${extra[@]}")
  fi
fi
args+=(-)

report="$RUNNER_TEMP/agent-report.json"
case $output in
  json) saved=$report ;;
  stream-json) saved="$RUNNER_TEMP/agent-events.jsonl" ;;
  text) saved="$RUNNER_TEMP/agent-output.txt" ;;
esac
rm -f "$report"
echo "agent ${args[*]}" >&2
printf '%s' "$INPUT_PROMPT" | "$agent" "${args[@]}" | tee "$saved"
code=${PIPESTATUS[1]}

# The report is the `result` event: stream-json prints it last.
if [ "$output" = stream-json ]; then grep '"type":"result"' "$saved" | tail -n 1 >"$report"; fi
json_field() { # FIELD FILE
  if command -v jq >/dev/null 2>&1; then jq -r --arg f "$1" '.[$f] // empty' "$2"
  else node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8")); process.stdout.write(String(r[process.argv[1]] ?? ""))' "$1" "$2"; fi
}
result=""
if [ "$output" = text ]; then result=$(cat "$saved"); report=""
elif [ -s "$report" ]; then result=$(json_field result "$report" 2>/dev/null) || result=""
else report=""; fi

artifact=${INPUT_ARTIFACT_NAME:-"agent-report-${GITHUB_JOB:-job}-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"}
delim="AGENTRT_EOF_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
{
  echo "exit-code=$code"
  echo "report=$report"
  echo "artifact-name=$artifact"
  echo "result<<$delim"
  printf '%s\n' "$result"
  echo "$delim"
} >>"$GITHUB_OUTPUT"

if [ "$code" -ne 0 ]; then
  echo "::error title=agentrt::agent run exited $code (see docs/exit-codes.md)" >&2
  [ "${INPUT_CONTINUE_ON_ERROR:-false}" = true ] && exit 0
  exit "$code"
fi
