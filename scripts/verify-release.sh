#!/bin/sh
# Checks a release in dist/ (after `bun run build.ts --release`): every checksum in SHA256SUMS,
# then runs `--version` of each binary this machine can run, natively or emulated, and says
# plainly which ones it could not run and why. Exit 1 when a checksum or a run fails; binaries
# that could not be run do not fail it unless --strict (exit 3 then).
#
#   sh scripts/verify-release.sh [--strict] [--smoke FIXTURE] [DIST]
#
# --smoke FIXTURE: also run scripts/smoke-binary.sh (mcp list, install links, the URL-scheme
# registration in dry runs) on each binary that ran, the same way (natively, through qemu or
# the musl loader; not through wine). FIXTURE is the stdio fixture server bundled for node.
#
# How each kind is run (none is faked; nothing is downloaded):
#   linux glibc   natively on its own arch; arm64 on x64 through qemu-aarch64(-static), with
#                 -L /usr/aarch64-linux-gnu (Debian: libc6-arm64-cross) for the loader.
#   linux musl    natively on a musl host, or with AGENTRT_MUSL_ROOT=<an Alpine rootfs of that
#                 arch with libstdc++ and libgcc> through its ld-musl (and qemu for arm64).
#   darwin        only on macOS of the same arch.
#   windows       on Windows (MINGW/MSYS/Cygwin), or through wine; a wine that cannot load it
#                 counts as "not run", with wine's reason, since wine is not Windows.
# A binary that is not run still gets its format checked with `file` when that is installed.
set -u

strict=0 fixture=""
here=$(cd "$(dirname "$0")" && pwd)
[ "${1:-}" = "--strict" ] && { strict=1; shift; }
if [ "${1:-}" = "--smoke" ]; then
  [ -f "${2:-}" ] || { echo "verify-release: --smoke needs the fixture file (got '${2:-}')" >&2; exit 2; }
  fixture=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2
fi
dist=${1:-"$(dirname "$0")/../dist"}
cd "$dist" || { echo "verify-release: no directory $dist" >&2; exit 2; }
[ -f SHA256SUMS ] || { echo "verify-release: no SHA256SUMS in $dist (run: bun run build.ts --release)" >&2; exit 2; }
version=$(sed -n 's/^[^"]*"version": *"\([^"]*\)".*/\1/p' manifest.json 2>/dev/null | head -n 1)
[ -n "$version" ] || { echo "verify-release: no version in $dist/manifest.json" >&2; exit 2; }

failed=0 verified=0 skipped=0
ok() { verified=$((verified + 1)); printf 'ok       %-24s %s\n' "$1" "$2"; }
bad() { failed=$((failed + 1)); printf 'FAILED   %-24s %s\n' "$1" "$2"; }
skip() {
  skipped=$((skipped + 1))
  fmt=""
  command -v file >/dev/null 2>&1 && fmt=" [file: $(file -b "$1" | cut -c1-70)]"
  printf 'not run  %-24s %s%s\n' "$1" "$2" "$fmt"
}

if command -v sha256sum >/dev/null 2>&1; then sums="sha256sum -c"; else sums="shasum -a 256 -c"; fi
if $sums SHA256SUMS >/dev/null 2>&1; then echo "checksums: every file in SHA256SUMS matches"
else echo "checksums: MISMATCH"; $sums SHA256SUMS 2>&1 | grep -v ': OK$'; failed=$((failed + 1)); fi

os=$(uname -s)
case $(uname -m) in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
libc=glibc
if [ "$os" = Linux ] && ldd --version 2>&1 | grep -qi musl; then libc=musl; fi
qemu=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
wine=$(command -v wine64 || command -v wine || ls /usr/lib/wine/wine64 2>/dev/null || true)

# smoke FILE : scripts/smoke-binary.sh on FILE, through $via (how `run` ran it), with --smoke
smoke() {
  [ -n "$fixture" ] || return 0
  if SMOKE_RUN=$via sh "$here/smoke-binary.sh" "./$1" "$fixture" "$version" >"$errs" 2>&1; then
    printf 'ok       %-24s %s\n' "$1" "smoke-binary.sh: $(grep -c '^ok ' "$errs") checks"
  else
    reason="smoke-binary.sh: $(grep '^FAILED' "$errs" | tr '\n' ' ')"
    return 1
  fi
}

# run FILE CMD... : CMD --version must print exactly $version
run() {
  f=$1; shift
  out=$(timeout 120 "$@" --version 2>"$errs"); rc=$?
  [ "$rc" -eq 0 ] && [ "$out" = "$version" ] && { ok "$f" "$version ($how)"; return 0; }
  reason="exit $rc, printed \"$out\": $(grep -v '^$' "$errs" | tail -n 2 | tr '\n' ' ')"
  return 1
}

errs=$(mktemp) || exit 2
trap 'rm -f "$errs"' EXIT
while read -r _ f <&3; do
  case $f in
    *.map.json) continue ;; # source maps for --debug stacks: their checksum was checked above, nothing to run
    agent-linux-*)
      want_arch=${f#agent-linux-}; want_arch=${want_arch%-musl}
      case $f in *-musl) want_libc=musl ;; *) want_libc=glibc ;; esac
      if [ "$os" = Linux ] && [ "$arch" = "$want_arch" ] && [ "$libc" = "$want_libc" ]; then
        how=native via=""; { run "$f" "./$f" && smoke "$f"; } || bad "$f" "$reason"
      elif [ "$want_libc" = glibc ] && [ "$os" = Linux ] && [ "$want_arch" = arm64 ] && [ -n "$qemu" ]; then
        how="qemu: $(basename "$qemu")"
        if [ -d /usr/aarch64-linux-gnu ]; then via="$qemu -L /usr/aarch64-linux-gnu"; else via=$qemu; fi
        # shellcheck disable=SC2086 # $via: the qemu command and its flags
        { run "$f" $via "./$f" && smoke "$f"; } || bad "$f" "$reason"
      elif [ "$want_libc" = musl ] && [ -n "${AGENTRT_MUSL_ROOT:-}" ]; then
        r=$AGENTRT_MUSL_ROOT; m=$( [ "$want_arch" = x64 ] && echo x86_64 || echo aarch64 )
        loader="$r/lib/ld-musl-$m.so.1"
        if [ ! -e "$loader" ]; then skip "$f" "AGENTRT_MUSL_ROOT has no lib/ld-musl-$m.so.1 (needs an Alpine $m rootfs)"
        elif [ "$want_arch" = "$arch" ]; then how="ld-musl of $r" via="$loader --library-path $r/lib:$r/usr/lib"; { run "$f" "$loader" --library-path "$r/lib:$r/usr/lib" "./$f" && smoke "$f"; } || bad "$f" "$reason"
        elif [ -n "$qemu" ] && [ "$want_arch" = arm64 ]; then how="qemu + ld-musl of $r" via="$qemu -L $r $loader --library-path $r/lib:$r/usr/lib"; { run "$f" "$qemu" -L "$r" "$loader" --library-path "$r/lib:$r/usr/lib" "./$f" && smoke "$f"; } || bad "$f" "$reason"
        else skip "$f" "no way to run $want_arch code here"; fi
      elif [ "$want_libc" = musl ]; then
        skip "$f" "needs a musl system (Alpine) or AGENTRT_MUSL_ROOT=<Alpine $want_arch rootfs>: it links libstdc++.so.6 built for musl, which this host does not have"
      else
        skip "$f" "needs Linux on $want_arch, or qemu-aarch64 (apt-get install qemu-user-static libc6-arm64-cross)"
      fi ;;
    agent-darwin-*)
      if [ "$os" = Darwin ] && [ "$arch" = "${f#agent-darwin-}" ]; then how=native via=""; { run "$f" "./$f" && smoke "$f"; } || bad "$f" "$reason"
      else skip "$f" "needs macOS on ${f#agent-darwin-} (no Mach-O loader on $os)"; fi ;;
    agent-windows-*)
      case $os in
        MINGW* | MSYS* | CYGWIN*) how=native via=""; { run "$f" "./$f" && smoke "$f"; } || bad "$f" "$reason" ;;
        *) if [ -n "$wine" ]; then
             how="wine: $(basename "$wine")"
             WINEDEBUG=${WINEDEBUG:-err+module} run "$f" "$wine" "./$f" || skip "$f" "wine could not run it ($reason)"
           else skip "$f" "needs Windows, or wine"; fi ;;
      esac ;;
    *) skip "$f" "unknown file in SHA256SUMS" ;;
  esac
done 3<SHA256SUMS

echo "verified $verified, failed $failed, not run here $skipped (version $version, host $os $arch $libc)"
[ "$failed" -eq 0 ] || exit 1
[ "$strict" -eq 1 ] && [ "$skipped" -gt 0 ] && exit 3
exit 0
