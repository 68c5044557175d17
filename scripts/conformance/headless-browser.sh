#!/usr/bin/env bash
# Headless stand-in for a web browser, for CLIs that open the OAuth
# authorization URL through a BROWSER-style hook:  headless-browser.sh <url>
# GETs the URL and follows redirects (the conformance authorization server
# answers with a 302 straight to redirect_uri?code=...&state=..., i.e. to the
# CLI's loopback callback). Exits non-zero if the final response is an error.
set -u
url="${1:?usage: headless-browser.sh <url>}"
if command -v curl >/dev/null 2>&1; then
  exec curl -sS -L --max-redirs 10 --max-time 20 -o /dev/null --fail "$url"
fi
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUN_BIN="${BUN:-$HERE/../../node_modules/.bin/bun}"
exec "$BUN_BIN" -e 'const r = await fetch(process.argv[1], { redirect: "follow" }); await r.text(); process.exit(r.ok ? 0 : 1);' "$url"
