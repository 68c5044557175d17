#!/bin/sh
# Smoke-tests one compiled agent binary: what the release workflow runs on each platform's own
# runner (.github/workflows/release.yml), and what tests/e2e/smoke-binary.test.ts runs here on
# dist/agent, so the steps the runners take are tested before a tag needs them.
#
#   sh scripts/smoke-binary.sh BINARY FIXTURE [VERSION]
#
# BINARY   the agent binary (agent-windows-x64.exe works from Git Bash on Windows)
# FIXTURE  a stdio MCP server in one JavaScript file for node: tests/fixtures/servers/stdio-basic.ts
#          bundled with `bun build --target node` (the workflow's build job does it), so every
#          runner needs node but no node_modules
# VERSION  what `BINARY --version` must print (default: the version in manifest.json beside
#          BINARY, else in package.json of this checkout)
# SMOKE_RUN  (environment) a command that runs BINARY on this host, split on spaces, e.g.
#          "qemu-aarch64-static -L /usr/aarch64-linux-gnu" for linux-arm64 on x64
#          (scripts/verify-release.sh --smoke sets it for what it runs through qemu)
#
# The checks: --version; an unknown flag exits 2; `mcp list` against the fixture over stdio, started
# directly and through a shim (Windows: a .cmd file, as npx is, S10) with arguments cmd.exe would act on;
# an agentrt:// install link and a link agent itself printed, parsed in a --dry-run; the
# agentrt:// URL-scheme registration in a --dry-run (for this OS: .desktop + xdg-mime, an app
# bundle, or the registry). Dry runs must write nothing: HOME and the app-data variables point
# at an empty directory, which must stay empty. Needs node (also for reading the JSON output).
# Exit 0 when every check passed, 1 when one failed, 2 on bad arguments.
set -u

[ $# -ge 2 ] || { echo "usage: sh scripts/smoke-binary.sh BINARY FIXTURE [VERSION]" >&2; exit 2; }
bin=$1 fixture=$2
[ -f "$bin" ] || { echo "smoke-binary: no binary $bin" >&2; exit 2; }
[ -f "$fixture" ] || { echo "smoke-binary: no fixture $fixture" >&2; exit 2; }
command -v node >/dev/null 2>&1 || { echo "smoke-binary: needs node (for the fixture server)" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
version_of() { sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$1" 2>/dev/null | head -n 1; }
version=${3:-$(version_of "$(dirname "$bin")/manifest.json")}
[ -n "$version" ] || version=$(version_of "$here/../package.json")

# Windows binaries want Windows paths; Git Bash's cygpath gives them (C:/…), elsewhere a no-op.
native() { if command -v cygpath >/dev/null 2>&1; then cygpath -m "$1"; else printf '%s\n' "$1"; fi; }
# and with backslashes, for what cmd.exe itself reads (a redirection's target)
backslashed() { if command -v cygpath >/dev/null 2>&1; then cygpath -w "$1"; else printf '%s\n' "$1"; fi; }
case $bin in /*) ;; *) bin="$PWD/$bin" ;; esac
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
mkdir "$work/home"
home=$(native "$work/home")
fixture=$(native "$(cd "$(dirname "$fixture")" && pwd)/$(basename "$fixture")")

failed=0 passed=0
pass() { passed=$((passed + 1)); echo "ok      $1"; }
fail() { failed=$((failed + 1)); echo "FAILED  $1"; sed 's/^/        | /' "$work/err" | tail -n 15; }

# agent ARGS... : runs the binary (through $SMOKE_RUN, word-split on purpose) with a clean
# environment of its own; stdout to $work/out, stderr to $work/err
# shellcheck disable=SC2086
agent() {
  env AGENTRT_HOME="$home/agentrt" HOME="$home" USERPROFILE="$home" APPDATA="$home/AppData/Roaming" LOCALAPPDATA="$home/AppData/Local" \
    XDG_CONFIG_HOME="$home/.config" XDG_STATE_HOME="$home/.local/state" XDG_DATA_HOME="$home/.local/share" \
    XDG_CACHE_HOME="$home/.cache" NO_COLOR=1 ${SMOKE_RUN:-} "$bin" "$@" >"$work/out" 2>"$work/err" </dev/null
}

# expect_json CHECK : CHECK is a JavaScript expression over `j` (stdout parsed as JSON)
expect_json() {
  node -e '
    const fs = require("node:fs")
    const [file, check] = process.argv.slice(1)
    let j
    try { j = JSON.parse(fs.readFileSync(file, "utf8")) } catch (e) { console.error("not one JSON document: " + e.message); process.exit(1) }
    if (!eval(check)) { console.error("expected " + check + " of " + JSON.stringify(j).slice(0, 600)); process.exit(1) }
  ' "$(native "$work/out")" "$1" 2>>"$work/err"
}

# --version prints exactly the version
if agent --version && [ "$(tr -d '\r' <"$work/out")" = "$version" ]; then pass "--version prints $version"
else echo "printed: $(cat "$work/out")" >>"$work/err"; fail "--version prints $version"; fi

# strict flags: an unknown one is a usage error (exit 2)
agent --no-such-flag; rc=$?
if [ "$rc" -eq 2 ]; then pass "an unknown flag exits 2"; else echo "exit $rc" >>"$work/err"; fail "an unknown flag exits 2"; fi

# mcp list against a real stdio MCP server (the SDK fixture, run by node)
if agent mcp list --mcp-only --output json -- node "$fixture" &&
  expect_json 'j.servers.length === 1 && j.servers[0].status === "connected" && j.servers[0].transport === "stdio" && j.servers[0].counts.tools > 0'
then pass "mcp list connects to a stdio server and counts its tools"
else fail "mcp list connects to a stdio server and counts its tools"; fi

# an install link, parsed and shown in a dry run: name=smoke, config {"command":"node","args":["server.js"]}
link='agentrt://mcp/install?name=smoke&config=eyJjb21tYW5kIjoibm9kZSIsImFyZ3MiOlsic2VydmVyLmpzIl19'
mcp=$(native "$work/mcp.json")
if agent install "$link" --dry-run --output json --mcp "$mcp" &&
  expect_json 'j.name === "smoke" && j.dryRun === true && j.server.command === "node" && j.server.args[0] === "server.js"' &&
  [ ! -e "$work/mcp.json" ]
then pass "install parses an agentrt:// link in a dry run and writes nothing"
else fail "install parses an agentrt:// link in a dry run and writes nothing"; fi

# a link agent prints itself (from the built-in catalog) parses back to the same server
if agent install --link memory && printed=$(tr -d '\r' <"$work/out") &&
  agent install "$printed" --dry-run --output json --mcp "$mcp" && expect_json 'j.name === "memory" && j.dryRun === true'
then pass "a link from install --link parses back"
else fail "a link from install --link parses back"; fi

# the agentrt:// URL-scheme registration for this OS, planned but not applied
case $(uname -s) in Darwin) os=darwin ;; MINGW* | MSYS* | CYGWIN* | Windows_NT) os=win32 ;; *) os=linux ;; esac
exec_path=$(native "$work/agent-handler")
if agent install --register --dry-run --output json --exec "$exec_path" &&
  expect_json "j.mode === 'register' && j.os === '$os' && j.dryRun === true && j.isRegistered === false && j.actions.length > 0 && j.actions.every((a) => a.ok)"
then pass "install --register --dry-run plans the $os handler"
else fail "install --register --dry-run plans the $os handler"; fi

# nothing above may have written into the home directory
: >"$work/err"
if [ -z "$(find "$work/home" -mindepth 1 -print | head -n 5 | tee "$work/err")" ]; then pass "the dry runs left the home directory empty"
else fail "the dry runs left the home directory empty"; fi

# the same server started through a shim, as "command": "npx" is on Windows (npx.cmd, a batch
# file run by cmd.exe, S10; elsewhere a shell script), in a directory with a space, with
# arguments cmd.exe would act on: each must reach the server as it was written, and the
# redirection must create nothing
case $(uname -s) in MINGW* | MSYS* | CYGWIN* | Windows_NT) shim_ext="cmd" ;; *) shim_ext="sh" ;; esac
mkdir "$work/shim dir"
shim="$work/shim dir/fixture.$shim_ext"
if [ "$shim_ext" = cmd ]; then
  printf '@echo off\r\nnode "%s" %%*\r\n' "$fixture" >"$shim"
else
  printf '#!/bin/sh\nexec node "%s" "$@"\n' "$fixture" >"$shim" && chmod +x "$shim"
fi
marker=$(backslashed "$work/pwned")
# shellcheck disable=SC2016 # JavaScript, not shell: its $1 is a regex replacement
node -e '
  const [file, shim, argvFile, marker] = process.argv.slice(1)
  const args = ["plain", "two words", "a&b", "x|y", "<in>", "say \"hi\"", "%PATH%", "100%", "^caret", "!bang!", "back\\slash\\", "&echo pwned>" + marker]
  // A config writes a literal %NAME% as %%NAME% (agent refuses the Windows-style reference).
  const written = args.map((a) => a.replace(/^%(\w+)%$/, "%%$1%"))
  require("node:fs").writeFileSync(file, JSON.stringify({ mcpServers: { shim: { command: shim, args: written, env: { ARGV_FILE: argvFile } } } }))
  require("node:fs").writeFileSync(file + ".expected", JSON.stringify(args))
' "$(native "$work/shim.json")" "$(native "$shim")" "$(native "$work/argv.json")" "$marker" 2>>"$work/err"
if agent mcp list --mcp-only --output json --mcp "$(native "$work/shim.json")" &&
  expect_json 'j.servers.length === 1 && j.servers[0].status === "connected"' &&
  [ "$(cat "$work/argv.json" 2>/dev/null)" = "$(cat "$work/shim.json.expected")" ] && [ ! -e "$work/pwned" ]
then pass "a server started through a .$shim_ext shim gets its arguments as written, and cmd.exe runs none of them"
else
  { echo "expected: $(cat "$work/shim.json.expected" 2>/dev/null)"; echo "got:      $(cat "$work/argv.json" 2>/dev/null)"
    [ -e "$work/pwned" ] && echo "and $work/pwned exists"; } >>"$work/err"
  fail "a server started through a .$shim_ext shim gets its arguments as written, and cmd.exe runs none of them"
fi

echo "smoke-binary: $passed passed, $failed failed ($bin${SMOKE_RUN:+ through $SMOKE_RUN}, $(uname -s) $(uname -m))"
[ "$failed" -eq 0 ]
