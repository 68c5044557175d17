#!/usr/bin/env bash
# The `agent run` step of action.yml, kept here so it runs (and is tested) outside GitHub.
# Inputs arrive as environment variables (action.yml maps each `inputs.<name>` to INPUT_<NAME> through
# `env:`), never spliced into a script, so a prompt cannot inject shell code.
#
#   INPUT_PROMPT             the task, given to `agent run -` on stdin
#   INPUT_BATCH              instead of a prompt: a tasks.jsonl for `agent run --batch` (its
#                            reports go to $RUNNER_TEMP/agent-results.jsonl; add --shard I/N
#                            through INPUT_ARGS)
#   INPUT_MERGE              instead of a prompt: results files (a glob, e.g. results/*.jsonl)
#                            for `agent report merge`
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
# With batch, report is the results file (one report per task) and result the batch's counts;
# with merge, report is the merged summary (agent-summary.json) and result its counts.
set -uo pipefail

fail() { echo "::error title=agentrt::$*" >&2; exit 2; }

# The artifact name and the step outputs, as every mode sets them.
write_outputs() { # CODE REPORT RESULT
  artifact=${INPUT_ARTIFACT_NAME:-"agent-report-${GITHUB_JOB:-job}-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"}
  delim="AGENTRT_EOF_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  {
    echo "exit-code=$1"
    echo "report=$2"
    echo "artifact-name=$artifact"
    echo "result<<$delim"
    printf '%s\n' "$3"
    echo "$delim"
  } >>"$GITHUB_OUTPUT"
}

json_field() { # FIELD FILE
  if command -v jq >/dev/null 2>&1; then jq -r --arg f "$1" '.[$f] // empty' "$2"
  else node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8")); process.stdout.write(String(r[process.argv[1]] ?? ""))' "$1" "$2"; fi
}

# "N tasks: S succeeded, F failed" from a batch summary document.
counts() { echo "$(json_field tasks "$1") tasks: $(json_field succeeded "$1") succeeded, $(json_field failed "$1") failed"; }

finish() { # CODE
  if [ "$1" -ne 0 ]; then
    echo "::error title=agentrt::agent exited $1 (see docs/exit-codes.md)" >&2
    [ "${INPUT_CONTINUE_ON_ERROR:-false}" = true ] && exit 0
    exit "$1"
  fi
  exit 0
}

# `agent report merge` over the files INPUT_MERGE names (globbed here, never evaluated).
merge_mode() {
  local -a files=()
  read -r -a patterns <<<"${INPUT_MERGE//$'\n'/ }"
  for p in "${patterns[@]}"; do
    # compgen -G expands the glob without word splitting; "./" keeps a file named -x a file.
    while IFS= read -r f; do [[ $f == -* ]] && f="./$f"; files+=("$f"); done < <(compgen -G "$p" || true)
  done
  [ "${#files[@]}" -gt 0 ] || fail "merge: no file matches: $INPUT_MERGE"
  local summary="$RUNNER_TEMP/agent-summary.json" code
  local -a extra=()
  [ -z "${INPUT_ARGS:-}" ] || read -r -a extra <<<"${INPUT_ARGS//$'\n'/ }"
  echo "agent report merge ${files[*]} ${extra[*]}" >&2
  "$agent" report merge --output json "${extra[@]}" "${files[@]}" | tee "$summary"
  code=${PIPESTATUS[0]}
  write_outputs "$code" "$summary" "$(counts "$summary" 2>/dev/null)"
  finish "$code"
}
: "${RUNNER_TEMP:?RUNNER_TEMP is not set (the runner sets it)}"
: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set (the runner sets it)}"
modes=0
for m in "${INPUT_PROMPT:-}" "${INPUT_BATCH:-}" "${INPUT_MERGE:-}"; do [ -z "$m" ] || modes=$((modes + 1)); done
[ "$modes" -eq 1 ] || fail "give exactly one of the prompt, batch and merge inputs"
output=${INPUT_OUTPUT:-json}
case $output in text | json | stream-json) ;; *) fail "output must be text, json or stream-json, got: $output" ;; esac
agent=${AGENT_BIN:-agent}
# A batch or a merge prints one summary document; its reports are a file of their own.
[ -z "${INPUT_PROMPT:-}" ] && output=json
[ -n "${INPUT_MERGE:-}" ] && merge_mode

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
approve_env=${INPUT_APPROVE_ENV:-}
for name in ${approve_env//,/ }; do
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
if [ -n "${INPUT_BATCH:-}" ]; then
  [ -f "$INPUT_BATCH" ] || fail "batch: no such file: $INPUT_BATCH"
  results="$RUNNER_TEMP/agent-results.jsonl"
  summary="$RUNNER_TEMP/agent-summary.json"
  args+=(--batch "$INPUT_BATCH" --results "$results")
  echo "agent ${args[*]}" >&2
  "$agent" "${args[@]}" | tee "$summary"
  code=${PIPESTATUS[0]}
  write_outputs "$code" "$results" "$(counts "$summary" 2>/dev/null)"
  finish "$code"
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
result=""
if [ "$output" = text ]; then result=$(cat "$saved"); report=""
elif [ -s "$report" ]; then result=$(json_field result "$report" 2>/dev/null) || result=""
else report=""; fi

write_outputs "$code" "$report" "$result"
finish "$code"
