#!/bin/sh
# Installs the `agent` binary for this machine and checks it against the release's SHA256SUMS.
#
#   curl -fsSL https://github.com/agentrt/agentrt/releases/latest/download/install.sh | sh
#
# Environment:
#   AGENTRT_VERSION        a version such as 0.1.0 (default: the latest release)
#   AGENTRT_DOWNLOAD_URL   base URL holding agent-<target> and SHA256SUMS, laid out as dist/
#                          after `bun run build.ts --release` (overrides AGENTRT_VERSION)
#   AGENTRT_INSTALL_DIR    where to put agent (default: ~/.local/bin)
#   AGENTRT_LIBC           glibc or musl, to override the detection on Linux
# The binary is downloaded to a temporary directory, checked, and only then moved into place:
# a checksum mismatch leaves nothing behind.
set -eu

say() { printf '%s\n' "$*" >&2; }
die() { say "agentrt install: error: $*"; exit 1; }

repo_url="https://github.com/agentrt/agentrt/releases"
if [ -n "${AGENTRT_DOWNLOAD_URL:-}" ]; then base=${AGENTRT_DOWNLOAD_URL%/}
elif [ -n "${AGENTRT_VERSION:-}" ]; then base="$repo_url/download/v${AGENTRT_VERSION#v}"
else base="$repo_url/latest/download"; fi
dir=${AGENTRT_INSTALL_DIR:-"${HOME:?HOME is not set; set AGENTRT_INSTALL_DIR}/.local/bin"}

os=$(uname -s)
case $os in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  MINGW* | MSYS* | CYGWIN*) os=windows ;;
  *) die "unsupported operating system: $os (agent ships Linux, macOS and Windows binaries)" ;;
esac

machine=$(uname -m)
case $machine in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) die "unsupported architecture: $machine (agent ships x64 and arm64 binaries; download one by hand from $base)" ;;
esac
# A shell under Rosetta 2 reports x86_64 on Apple silicon: take the native binary.
if [ "$os" = darwin ] && [ "$arch" = x64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || true)" = 1 ]; then
  arch=arm64
fi
if [ "$os" = windows ] && [ "$arch" = arm64 ]; then
  say "note: no Windows arm64 build; installing the x64 one, which Windows on Arm runs emulated"
  arch=x64
fi

# musl (Alpine and friends) needs its own build. Ask the C library itself, not the file system:
# Debian and Ubuntu may have the musl package (and /lib/ld-musl-*) next to glibc.
is_musl() {
  if ldd --version 2>&1 | grep -qi musl; then return 0; fi
  if getconf GNU_LIBC_VERSION >/dev/null 2>&1; then return 1; fi
  if ldd --version 2>&1 | grep -qiE 'glibc|gnu libc'; then return 1; fi
  for loader in /lib/ld-musl-*.so.1; do
    [ -e "$loader" ] || continue
    for g in /lib64/ld-linux-*.so.* /lib/ld-linux-*.so.* /lib/*-linux-gnu/ld-linux-*.so.*; do
      [ -e "$g" ] && return 1
    done
    return 0
  done
  return 1
}
target="$os-$arch"
if [ "$os" = linux ]; then
  case ${AGENTRT_LIBC:-} in
    musl) target="$target-musl" ;;
    glibc | gnu) ;;
    "") if is_musl; then target="$target-musl"; fi ;;
    *) die "AGENTRT_LIBC must be glibc or musl, got: $AGENTRT_LIBC" ;;
  esac
fi
file="agent-$target"
name=agent
if [ "$os" = windows ]; then file="$file.exe"; name=agent.exe; fi

download() { # URL FILE
  if command -v curl >/dev/null 2>&1; then curl -fsSL --retry 3 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then wget -q -O "$2" "$1"
  else die "needs curl or wget to download $1"; fi
}
sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum >/dev/null 2>&1; then shasum -a 256 "$1" | cut -d ' ' -f 1
  elif command -v openssl >/dev/null 2>&1; then openssl dgst -sha256 -r "$1" | cut -d ' ' -f 1
  else die "needs sha256sum, shasum or openssl to check the download"; fi
}

tmp=$(mktemp -d 2>/dev/null || mktemp -d -t agentrt) || die "cannot create a temporary directory"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "downloading $file from $base"
download "$base/SHA256SUMS" "$tmp/SHA256SUMS" || die "could not download $base/SHA256SUMS"
expected=$(awk -v f="$file" '$2 == f || $2 == "*" f { print $1; exit }' "$tmp/SHA256SUMS")
[ -n "$expected" ] || die "$file is not listed in $base/SHA256SUMS (is there a build for $target?)"
download "$base/$file" "$tmp/$name" || die "could not download $base/$file"
actual=$(sha256 "$tmp/$name")
if [ "$actual" != "$expected" ]; then
  die "checksum mismatch for $file: expected $expected, got $actual; nothing was installed"
fi
chmod 755 "$tmp/$name"

mkdir -p "$dir" || die "cannot create $dir"
# Copy next to the destination first, then rename: the rename is atomic, so a running agent or
# an interrupted install never sees half a binary.
staged="$dir/.$name.install.$$"
trap 'rm -rf "$tmp"; rm -f "$staged"' EXIT
cp "$tmp/$name" "$staged" || die "cannot write to $dir"
mv -f "$staged" "$dir/$name" || die "cannot write $dir/$name"

if version=$("$dir/$name" --version 2>/dev/null); then
  say "installed agent $version to $dir/$name"
else
  say "installed $dir/$name, but it does not run here"
  [ "$target" = "${target%-musl}" ] || say "hint: on Alpine, install its C++ runtime: apk add libstdc++ libgcc"
  exit 1
fi

case ":${PATH:-}:" in
  *":$dir:"*) ;;
  *)
    say ""
    say "$dir is not on your PATH. Add it, e.g. in ~/.profile, ~/.bashrc or ~/.zshrc:"
    say "  export PATH=\"$dir:\$PATH\""
    say "(fish: fish_add_path $dir)"
    ;;
esac
