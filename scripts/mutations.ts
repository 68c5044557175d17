// The breakages scripts/mutate.ts applies, one at a time, to the security helpers. Each is a
// plausible slip (a range dropped, a check loosened) that the named tests must catch. `find`
// must occur exactly once in `file`: when the code moves, mutate.ts fails until this list
// follows it, so a mutation can never silently stop applying.

export interface Mutation {
  name: string
  file: string
  find: string
  replace: string
  /** Test files that must fail once the mutation is in; tests/e2e files rebuild dist/agent first. */
  tests: string[]
}

const ESCAPE_TESTS = ["tests/util/text.test.ts", "tests/install/present.test.ts"]
const SERVER_TESTS = ["tests/server/app.test.ts", "tests/server/oauth-callback.test.ts"]
const TOKEN_TESTS = ["tests/server/form-tokens.test.ts", "tests/server/app.test.ts"]
const FINGERPRINT_TESTS = [
  "tests/config/fingerprint.test.ts",
  "tests/config/load.test.ts",
  "tests/config/approvals.test.ts",
]
const ENV_TESTS = ["tests/mcp/spawn-env.test.ts", "tests/mcp/stdio.test.ts"]
const SSRF_TESTS = ["tests/auth/guard.test.ts", "tests/auth/guard-fetch.test.ts"]
const PIN_TESTS = ["tests/auth/guard-pin.test.ts"]
const PRM_TESTS = ["tests/auth/resource.test.ts", "tests/auth/provider.test.ts"]
const SERVE_TESTS = ["tests/serve/http.test.ts"]
const BUNDLE_ZIP_TESTS = ["tests/install/bundle-zip.test.ts"]
const EXPORT_TESTS = ["tests/install/export.test.ts"]
const EXPORT_CLI_TESTS = ["tests/cli/mcp-export.test.ts"]
const STATE_TESTS = ["tests/auth/callback-state.test.ts", "tests/server/oauth-callback.test.ts"]

const TEXT = "src/util/text.ts"
const ESCAPE_CALLBACK = "  return s.replace(UNSAFE, (c) => {\n"
const ORIGIN_CHECK = '!allowed.has(c.req.header("origin") ?? "")'
const HOST_CHECK = 'if (!allowed.has(c.req.header("host") ?? "")) return c.body(null, 421)'
const FINGERPRINT = "stableStringify({ name, server })"
const GUARD = "src/auth/guard.ts"
const STATE_CHECK =
  "if (!sent || got.length !== sent.length || !timingSafeEqual(Buffer.from(got), Buffer.from(sent))) {"

export const MUTATIONS: Mutation[] = [
  // P01/I03: terminal escaping
  {
    name: "escape: bidi isolates U+2066-2069 left raw",
    file: TEXT,
    find: ESCAPE_CALLBACK,
    replace: `${ESCAPE_CALLBACK}    if (/[\\u2066-\\u2069]/u.test(c)) return c\n`,
    tests: ESCAPE_TESTS,
  },
  {
    name: "escape: C1 controls U+0080-009F left raw",
    file: TEXT,
    find: String.raw`\x7f-\x9f`,
    replace: String.raw`\x7f`,
    tests: ESCAPE_TESTS,
  },
  {
    name: "escape: ESC left raw",
    file: TEXT,
    find: String.raw`\x0b-\x1f`,
    replace: String.raw`\x0b-\x1a\x1c-\x1f`,
    tests: ESCAPE_TESTS,
  },
  {
    name: "escape: tag characters U+E0000-E0FFF left raw",
    file: TEXT,
    find: ESCAPE_CALLBACK,
    replace: `${ESCAPE_CALLBACK}    if ((c.codePointAt(0) as number) >= 0xe0000) return c\n`,
    tests: ESCAPE_TESTS,
  },
  {
    name: "escape: line and paragraph separators U+2028-2029 left raw",
    file: TEXT,
    find: String.raw`\p{Zl}\p{Zp}`,
    replace: "",
    tests: ESCAPE_TESTS,
  },
  {
    name: "escape: format characters (\\p{Cf}: U+061C, U+200B, U+FEFF…) left raw",
    file: TEXT,
    find: String.raw`\x9f\p{Cf}`,
    replace: String.raw`\x9f`,
    tests: ESCAPE_TESTS,
  },
  {
    name: "escape: default-ignorables outside Cf (variation selectors, Hangul fillers) left raw",
    file: TEXT,
    find: String.raw`\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2065\u3164\ufe00-\ufe0f\uffa0\ufff0-\ufffb`,
    replace: "",
    tests: ESCAPE_TESTS,
  },
  {
    name: "escape: HTML single quote not escaped on the local pages",
    file: "src/server/html.ts",
    find: `/[&<>"']/g`,
    replace: `/[&<>"]/g`,
    tests: SERVER_TESTS,
  },

  // L02: Host guard (DNS rebinding)
  {
    name: "host guard: any Host header accepted",
    file: "src/server/app.ts",
    find: HOST_CHECK,
    replace: 'if (!c.req.header("host")) return c.body(null, 421)',
    tests: SERVER_TESTS,
  },
  {
    name: "host guard: the port is not compared",
    file: "src/server/app.ts",
    find: HOST_CHECK,
    replace:
      'if (!allowed.has((c.req.header("host") ?? "").replace(/:\\d+$/, `:${port}`))) return c.body(null, 421)',
    tests: SERVER_TESTS,
  },

  // L04: Origin guard (CSRF from any page the user has open)
  {
    name: "origin guard: a POST with no Origin passes",
    file: "src/server/app.ts",
    find: ORIGIN_CHECK,
    replace: '!allowed.has(c.req.header("origin") ?? `http://127.0.0.1:${port}`)',
    tests: SERVER_TESTS,
  },
  {
    name: "origin guard: a POST from another origin passes",
    file: "src/server/app.ts",
    find: ORIGIN_CHECK,
    replace: '["", "null"].includes(c.req.header("origin") ?? "")',
    tests: SERVER_TESTS,
  },
  {
    name: "origin guard: Origin: null passes",
    file: "src/server/app.ts",
    find: ORIGIN_CHECK,
    replace: `${ORIGIN_CHECK} && c.req.header("origin") !== "null"`,
    tests: SERVER_TESTS,
  },
  {
    name: "security headers: frame-ancestors dropped (clickjacking)",
    file: "src/server/headers.ts",
    find: "frame-ancestors 'none'; ",
    replace: "",
    tests: SERVER_TESTS,
  },

  // L03: one-time CSRF tokens
  {
    name: "one-time token: never used up",
    file: "src/server/form-tokens.ts",
    find: "      live.splice(found, 1)\n",
    replace: "",
    tests: TOKEN_TESTS,
  },
  {
    name: "one-time token: a prefix of a token matches",
    file: "src/server/form-tokens.ts",
    find: "t.length === given.length && timingSafeEqual(t, given)",
    replace: "t.subarray(0, given.length).equals(given)",
    tests: TOKEN_TESTS,
  },
  {
    name: "CSRF token: the install POST skips the token check",
    file: "src/server/install-page.ts",
    find: "!tokens.consume((body as Record<string, unknown>).token) || ",
    replace: "",
    tests: TOKEN_TESTS,
  },

  // C03: approval fingerprints
  {
    name: "fingerprint: args left out",
    file: "src/config/fingerprint.ts",
    find: FINGERPRINT,
    replace: "stableStringify({ name, server: { ...server, args: [] } })",
    tests: FINGERPRINT_TESTS,
  },
  {
    name: "fingerprint: env left out",
    file: "src/config/fingerprint.ts",
    find: FINGERPRINT,
    replace: "stableStringify({ name, server: { ...server, env: {} } })",
    tests: FINGERPRINT_TESTS,
  },
  {
    name: "fingerprint: headers left out",
    file: "src/config/fingerprint.ts",
    find: FINGERPRINT,
    replace: "stableStringify({ name, server: { ...server, headers: {} } })",
    tests: FINGERPRINT_TESTS,
  },
  {
    name: "fingerprint: the server name left out",
    file: "src/config/fingerprint.ts",
    find: FINGERPRINT,
    replace: "stableStringify({ server })",
    tests: FINGERPRINT_TESTS,
  },

  // C05: the child environment
  {
    name: "child env: every parent variable passed through",
    file: "src/mcp/spawn.ts",
    find: 'if (allowed.has(upper) || upper.startsWith("LC_")) env[key] = value',
    replace: "env[key] = value",
    tests: ENV_TESTS,
  },
  {
    name: "child env: exported shell functions kept",
    file: "src/mcp/spawn.ts",
    find: 'if (value === undefined || value.startsWith("()")) continue',
    replace: "if (value === undefined) continue",
    tests: ENV_TESTS,
  },
  {
    name: "child env: the spawn parameters carry the whole parent env",
    file: "src/mcp/spawn.ts",
    find: "env: minimalEnv(parentEnv, server.env)",
    replace: "env: { ...parentEnv, ...server.env } as Record<string, string>",
    tests: ENV_TESTS,
  },

  // O07: the SSRF guard
  {
    name: "SSRF: 169.254/16 (cloud metadata) treated as public",
    file: GUARD,
    find: '  if (a === 169 && b === 254) return "link-local"\n',
    replace: "",
    tests: SSRF_TESTS,
  },
  {
    name: "SSRF: 10/8 treated as public",
    file: GUARD,
    find: "    a === 10 ||\n",
    replace: "",
    tests: SSRF_TESTS,
  },
  {
    name: "SSRF: fe80::/10 treated as public",
    file: GUARD,
    find: '  if ((a & 0xffc0) === 0xfe80) return "link-local"\n',
    replace: "",
    tests: SSRF_TESTS,
  },
  {
    name: "SSRF: IPv4-mapped IPv6 (::ffff:7f00:1) not unwrapped",
    file: GUARD,
    find: "  if (zero(0, 5) && g[5] === 0xffff) return v4(g[6]!, g[7]!)\n",
    replace: "",
    tests: SSRF_TESTS,
  },
  {
    name: "O15 SSRF: IPv4-compatible IPv6 (::7f00:1) not unwrapped",
    file: GUARD,
    find: "  if (zero(0, 6) && (g[6] !== 0 || g[7]! > 1)) return v4(g[6]!, g[7]!)\n",
    replace: "",
    tests: SSRF_TESTS,
  },
  {
    name: "O15 SSRF: 0.0.0.0/8 treated as public",
    file: GUARD,
    find: "if (a === 0 || a >= 224 ||",
    replace: "if (a >= 224 ||",
    tests: SSRF_TESTS,
  },
  {
    name: "O15 SSRF: one public address lets a name with a private one through",
    file: GUARD,
    find: "  for (const kind of kinds) {\n",
    replace: "  for (const kind of kinds.slice(0, 1)) {\n",
    tests: SSRF_TESTS,
  },
  {
    name: "O16 SSRF: fetch looks the name up again (the checked address is not pinned)",
    file: GUARD,
    find: "return await base(pinned, { ...init, headers, ...tls })",
    replace: "return await base(url, { ...init, headers, ...tls })",
    tests: PIN_TESTS,
  },
  {
    name: "O16 SSRF: the TLS server name is the pinned IP, not the name",
    file: GUARD,
    find: "serverName: url.hostname",
    replace: "serverName: undefined",
    tests: PIN_TESTS,
  },
  {
    name: "SSRF: loopback allowed without allowLoopback",
    file: GUARD,
    find: 'if (kind === "loopback" && allowLoopback) continue',
    replace: 'if (kind === "loopback") continue',
    tests: SSRF_TESTS,
  },
  {
    name: "SSRF: plain http allowed to any host",
    file: GUARD,
    find: '  if (url.protocol === "http:" && !isLoopback) refuse(url, "plain http is only allowed to this machine")\n',
    replace: "",
    tests: SSRF_TESTS,
  },
  {
    name: "SSRF: redirects followed without a check per hop",
    file: GUARD,
    find: 'redirect: "manual"',
    replace: 'redirect: "follow"',
    tests: SSRF_TESTS,
  },
  {
    name: "O01 authorization URL: any scheme allowed",
    file: GUARD,
    find: 'if (url.protocol === "https:" || (url.protocol === "http:" && isLoopback)) return',
    replace: 'if (url.protocol !== "http:" || isLoopback) return',
    tests: SSRF_TESTS,
  },
  {
    name: "O01 authorization URL: plain http to any host",
    file: GUARD,
    find: 'if (url.protocol === "https:" || (url.protocol === "http:" && isLoopback)) return',
    replace: 'if (url.protocol === "https:" || url.protocol === "http:") return',
    tests: SSRF_TESTS,
  },

  // O01/O02: the browser opener
  {
    name: "browser: any scheme opened (file:, javascript:)",
    file: "src/util/browser.ts",
    find: 'if (parsed.protocol === "https:") return parsed',
    replace: 'if (parsed.protocol !== "http:") return parsed',
    tests: ["tests/util/browser.test.ts"],
  },
  {
    name: "browser: plain http opened to any host",
    file: "src/util/browser.ts",
    find: 'if (parsed.protocol === "http:" && LOOPBACK_HOSTS.has(parsed.hostname)) return parsed',
    replace: 'if (parsed.protocol === "http:") return parsed',
    tests: ["tests/util/browser.test.ts"],
  },
  {
    name: "browser: openBrowser skips the URL check",
    file: "src/util/browser.ts",
    find: "const href = checkBrowserUrl(url).href",
    replace: "const href = url",
    tests: ["tests/util/browser.test.ts"],
  },
  {
    name: "browser: the opener runs through a shell",
    file: "src/util/browser.ts",
    find: "const proc = Bun.spawn(argv, {",
    replace: 'const proc = Bun.spawn(["sh", "-c", argv.join(" ")], {',
    tests: ["tests/util/browser.test.ts"],
  },

  // L07/L08: the OAuth callback's state
  {
    name: "L07 state: any state accepted",
    file: "src/auth/provider.ts",
    find: STATE_CHECK,
    replace: "if (!sent) {",
    tests: STATE_TESTS,
  },
  {
    name: "L07 state: a missing state accepted",
    file: "src/auth/provider.ts",
    find: 'const got = params.get("state") ?? ""',
    replace: 'const got = params.get("state") ?? sent ?? ""',
    tests: STATE_TESTS,
  },
  {
    name: "L08 state: reusable after a callback",
    file: "src/auth/provider.ts",
    find: "      pendingState = undefined // one use (L08), whatever the outcome of the matching callback\n",
    replace: "",
    tests: STATE_TESTS,
  },
  {
    name: "O18 state: a wrong state uses up the pending sign-in",
    file: "src/server/oauth-callback.ts",
    find: "if (e instanceof CallbackStateError && !isPasted) {",
    replace: "if (false) {",
    tests: STATE_TESTS,
  },
  {
    name: "O18 state: a wrong state clears the provider's state",
    file: "src/auth/provider.ts",
    find: '      const got = params.get("state") ?? ""\n',
    replace:
      '      const got = params.get("state") ?? ""\n      if (got !== sent) pendingState = undefined\n',
    tests: STATE_TESTS,
  },
  {
    name: "L08 callback route: a second callback reaches the check",
    file: "src/server/oauth-callback.ts",
    find: '    state = { status: "over" } // one use, whatever the outcome (L08)\n',
    replace: "",
    tests: STATE_TESTS,
  },

  // P03–P05: secrets never printed, URL credentials, --debug escaping
  {
    name: "P03 secrets: the JSON-escaped spelling of a value not redacted",
    file: "src/util/secrets.ts",
    find: "      JSON.stringify(value).slice(1, -1),\n",
    replace: "",
    tests: ["tests/util/secrets.test.ts"],
  },
  {
    name: "P03 secrets: a value split across two stdout writes not held back",
    file: "src/cli/shared/redact-streams.ts",
    find: "if (isHoldingBack && !isFlush) {",
    replace: "if (isHoldingBack && isFlush) {",
    tests: ["tests/util/secrets.test.ts"],
  },
  {
    name: "P03 secrets: resolved values never registered",
    file: "src/config/resolve.ts",
    find: "      registerSecret(value, name)\n",
    replace: "",
    tests: ["tests/e2e/secrets.test.ts"],
  },
  {
    name: "P03 secrets: OpenTelemetry span attributes not redacted",
    file: "src/telemetry/trace.ts",
    find: "  return redactTokens(redactSecrets(s))\n",
    replace: "  return s\n",
    tests: ["tests/e2e/telemetry.test.ts"],
  },
  {
    name: "P04 URL credentials: key-like query parameters not detected",
    file: "src/config/url-secrets.ts",
    find: 'if (isSecretParam(name) && value !== "" && isLiteral(value))\n        found.push',
    replace: "if (false)\n        found.push",
    tests: ["tests/util/secrets.test.ts", "tests/e2e/secrets.test.ts"],
  },
  {
    name: "P05 --debug: log messages not escaped",
    file: "src/util/log.ts",
    find: 'return escapeTerminal(method === "debug" ? redactTokens(text) : text)',
    replace: 'return method === "debug" ? redactTokens(text) : text',
    tests: ["tests/e2e/secrets.test.ts"],
  },

  // O06/O17: the protected-resource metadata names this server exactly
  {
    name: "O17 PRM resource: a parent path (the origin) accepted",
    file: "src/auth/resource.ts",
    find: "return a !== undefined && a === b",
    replace:
      "return a !== undefined && b !== undefined && (a === b || a.startsWith(`${b}/`) || b === new URL(a).origin)",
    tests: PRM_TESTS,
  },
  {
    name: "O17 PRM resource: the provider skips the check",
    file: "src/auth/provider.ts",
    find: "if (!isSameResource(expected, prmResource) && !isOriginWide)",
    replace: "if (false)",
    tests: PRM_TESTS,
  },
  {
    name: "O17 PRM resource: root metadata named by the server's own 401 taken as origin-wide",
    file: "src/auth/provider.ts",
    find: "prmFetchedFrom !== prmNamedByServer &&",
    replace: "true &&",
    tests: ["tests/auth/provider.test.ts"],
  },

  // P07/P08: mcp.lock compares every field
  {
    name: "P07 lock: a tool's title left out",
    file: "src/mcp/lock.ts",
    find: "    title: tool.title ?? null,\n",
    replace: "    title: null,\n",
    tests: ["tests/mcp/lock.test.ts"],
  },
  {
    name: "P07 lock: annotations left out",
    file: "src/mcp/lock.ts",
    find: "    annotations: tool.annotations ?? null,\n",
    replace: "    annotations: null,\n",
    tests: ["tests/mcp/lock.test.ts"],
  },
  {
    name: "P08 lock: cwd, env and header names not compared",
    file: "src/mcp/lock-diff.ts",
    find: '["command", "args", "cwd", "url", "env", "headers"]',
    replace: '["command", "args", "url"]',
    tests: ["tests/mcp/lock.test.ts"],
  },

  // L01: the local server's address
  // (Not 0.0.0.0 here: a scratch run must not open a port to the network even for a moment.)
  {
    name: "local server: binds `localhost` instead of 127.0.0.1",
    file: "src/server/serve.ts",
    find: "hostname: LOOPBACK,",
    replace: 'hostname: "localhost",',
    tests: ["tests/server/serve.test.ts"],
  },

  // S04: stopping a stdio server stops its process group
  {
    name: "process group: signals reach the server only, not what it started",
    file: "src/mcp/posix-child.ts",
    find: "        process.kill(-pid, signal)\n",
    replace: "        process.kill(pid, signal)\n",
    tests: ["tests/e2e/process-group.test.ts"],
  },
  {
    name: "process group: the fallback's signals reach the server only (node:child_process)",
    file: "src/mcp/server-child.ts",
    find: "        process.kill(-pid, signal)\n",
    replace: "        process.kill(pid, signal)\n",
    tests: ["tests/mcp/posix-spawn.test.ts"],
  },
  {
    name: "process group: posix_spawn without SETPGROUP (the server stays in agent's group)",
    file: "src/mcp/libc-spawn.ts",
    find: "POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF",
    replace: "POSIX_SPAWN_SETSIGDEF",
    tests: ["tests/mcp/posix-spawn.test.ts"],
  },
  {
    name: "process group: a server inherits agent's ignored SIGPIPE",
    file: "src/mcp/libc-spawn.ts",
    find: "new Uint8Array(STRUCT_BYTES).fill(0xff)",
    replace: "new Uint8Array(STRUCT_BYTES)",
    tests: ["tests/mcp/posix-spawn.test.ts"],
  },
  {
    name: "process group: a crashed server's helpers left running until close",
    file: "src/mcp/stdio.ts",
    find: "    if (this.child) this.swept ??= sweepGroup(this.child)\n",
    replace: "",
    tests: ["tests/mcp/process-group.test.ts"],
  },

  // S10: a Windows batch file (npx.cmd) gets an escaped cmd.exe line
  {
    name: "windows spawn: carets once for a shim, so its %* line parses the argument again",
    file: "src/mcp/windows-spawn.ts",
    find: "input.args.map((a) => escapeArgument(a, true))",
    replace: "input.args.map((a) => escapeArgument(a, false))",
    tests: ["tests/mcp/windows-spawn.test.ts"],
  },
  {
    name: "windows spawn: a line break reaches cmd.exe",
    file: "src/mcp/windows-spawn.ts",
    find: "if (/[\\r\\n\\0]/.test(a))",
    replace: "if (/[\\0]/.test(a))",
    tests: ["tests/mcp/windows-spawn.test.ts"],
  },
  {
    name: "windows spawn: the current directory searched before PATH",
    file: "src/mcp/windows-spawn.ts",
    find: "for (const dir of dirs) {",
    replace: "for (const dir of [input.cwd, ...dirs]) {",
    tests: ["tests/mcp/windows-spawn.test.ts"],
  },

  // C09: roots only where the user asked
  {
    name: "roots: the working directory offered to every server again",
    file: "src/mcp/roots.ts",
    find: "[...(own ?? []), ...(opts.roots ?? [])]",
    replace: "[opts.cwd, ...(own ?? []), ...(opts.roots ?? [])]",
    tests: ["tests/mcp/roots.test.ts"],
  },

  // I09: the inline trust prompt escapes line breaks inside a value
  {
    name: "trust prompt: line breaks in a value left raw (a forged screen)",
    file: "src/cli/shared/present.ts",
    find: "...body.map((l) => `  ${escapeLine(l)}`)",
    replace: "...body.map((l) => `  ${escapeTerminal(l)}`)",
    tests: ["tests/e2e/approval-screens.test.ts"],
  },
  // I10/I11: variables that decide what runs, from a link or a project file
  {
    name: "dangerous env: a link or project may set NODE_OPTIONS, LD_PRELOAD, PATH unasked",
    file: "src/config/dangerous-env.ts",
    find: "    else out.refused.push(finding)\n",
    replace: "    else out.allowed.push(finding)\n",
    tests: ["tests/config/dangerous-env.test.ts", "tests/e2e/approval-screens.test.ts"],
  },
  {
    name: "dangerous env: LD_* no longer dangerous",
    file: "src/config/dangerous-env.ts",
    find: '  ["LD_", ',
    replace: '  ["LD_NOTHING_", ',
    tests: ["tests/config/dangerous-env.test.ts", "tests/e2e/approval-screens.test.ts"],
  },

  // I20-I22: the MCP Registry (docs/registry.md)
  {
    name: "registry: plain http accepted off loopback",
    file: "src/install/registry-client.ts",
    find: 'if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && isLoopback)) {',
    replace: 'if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {',
    tests: ["tests/install/registry-client.test.ts"],
  },
  {
    name: "registry: a $ in registry text is no longer escaped",
    file: "src/install/registry-inputs.ts",
    find: '    .replace(/\\$/g, "$$$$")\n',
    replace: "",
    tests: ["tests/install/registry-map.test.ts"],
  },
  {
    name: "registry: a link may claim a registry origin",
    file: "src/install/link-entry.ts",
    find: 'if (Object.hasOwn(entry, "registry"))',
    replace: 'if (Object.hasOwn(entry, "registry-never"))',
    tests: ["tests/cli/registry.test.ts"],
  },
  {
    name: "registry: --locked ignores a changed registry version or digest",
    file: "src/mcp/lock-diff.ts",
    find: "  if (!a) return []\n",
    replace: "  if (!a || a) return []\n",
    tests: ["tests/mcp/lock-registry.test.ts"],
  },

  // P09: the $ref inlining budget (a 100x budget still ends, so the tests can run it)
  {
    name: "schema budget: 100 times more nodes allowed",
    file: "src/agent/schema.ts",
    find: "if (++spend.nodes > SCHEMA_BUDGET.nodes) {",
    replace: "if (++spend.nodes > SCHEMA_BUDGET.nodes * 100) {",
    tests: ["tests/agent/schema.test.ts"],
  },

  // P12/P13: skills (SEP-2640)
  {
    name: "skills: a file listed over the per-skill limit is read anyway",
    file: "src/mcp/skills.ts",
    find: "if (listed && listed.size > SKILL_LIMITS.bytes)",
    replace: "if (listed && listed.size > SKILL_LIMITS.bytes * 2)",
    tests: ["tests/mcp/skills.test.ts"],
  },
  {
    name: "skills: a refused skill's error is swallowed and the load reported as fine",
    file: "src/agent/skills.ts",
    find: "        record.error = message\n",
    replace: "        return { text: message, isError: false }\n",
    tests: ["tests/agent/skills.test.ts", "tests/e2e/skills.test.ts"],
  },
  {
    name: "skills: descriptions reach the model with their escapes raw",
    file: "src/agent/skills.ts",
    find: "const one = escapeTerminal(d.replace(",
    replace: "const one = (d.replace(",
    tests: ["tests/e2e/skills.test.ts"],
  },
  // O20: DPoP-bound tokens keep their key
  {
    name: "O20 DPoP: the key is not saved with the tokens it binds",
    file: "src/auth/provider.ts",
    find: 'tokens.token_type?.toLowerCase() === "dpop" ? { dpopKey: dpop.jwk } : {}',
    replace: "{}",
    tests: ["tests/auth/dpop.test.ts"],
  },
  // O21: workload identity: where the JWT goes, and no retry
  {
    name: "O21 jwt_bearer: a refused JWT is sent again",
    file: "src/auth/jwt-bearer.ts",
    find: 'if (refusal.startsWith("use_dpop_nonce")) return res',
    replace: "return res",
    tests: ["tests/auth/jwt-bearer.test.ts"],
  },
  {
    name: "O21 jwt_bearer: the CI token is asked for another audience than the issuer",
    file: "src/auth/assertion.ts",
    find: "src.audience ?? issuer",
    replace: 'src.audience ?? "https://auth.example.com"',
    tests: ["tests/auth/jwt-bearer.test.ts"],
  },

  // S30/S31/S32: the daemon's socket owner, what a caller sends, what a changed definition does
  {
    name: "daemon: a socket another uid owns is used",
    file: "src/cli/shared/daemon-client.ts",
    find: "  if (process.getuid && st.uid !== process.getuid())",
    replace: "  if (false)",
    tests: ["tests/e2e/daemon-socket.test.ts"],
  },
  {
    name: "daemon: the warm caller connects without judging the socket",
    file: "src/cli/shared/daemon-client.ts",
    find: "    return judgeSocket(place.socket, await Bun.file(place.socket).stat())",
    replace: "    return void (await Bun.file(place.socket).stat())",
    tests: ["tests/e2e/daemon-socket.test.ts"],
  },
  {
    name: "daemon: the caller never sees a terminal (prompts would not reach it)",
    file: "src/cli/shared/daemon-client.ts",
    find: "      return st.isCharacterDevice() && TTY_MAJORS.has(majorOf(st.rdev))",
    replace: "      return false",
    tests: ["tests/e2e/daemon-changes.test.ts"],
  },
  {
    name: "daemon: the caller sends its whole environment",
    file: "src/cli/shared/daemon-client.ts",
    find: "          env: baseEnv(env),",
    replace: "          env: env as Record<string, string>,",
    tests: ["tests/e2e/daemon-socket.test.ts"],
  },
  {
    name: "daemon: a server that no longer resolves stays held",
    file: "src/daemon/pool.ts",
    find: '        await drop(old, `it is ${r.status.replace("_", " ")} now`)',
    replace: "        void old",
    tests: ["tests/e2e/daemon-changes.test.ts"],
  },
  {
    name: "daemon: a config edit that keeps the file's size and mtime is not seen",
    file: "src/config/parse-cache.ts",
    find: "      if (hit?.text === text) return hit.doc",
    replace: "      if (hit) return hit.doc",
    tests: ["tests/config/parse-cache.test.ts", "tests/e2e/daemon-changes.test.ts"],
  },
  // L09-L12: agent mcp serve --http (loopback bind, Host, Origin, bearer token)
  {
    name: "serve bind: a non-loopback --http address accepted",
    file: "src/serve/bind.ts",
    find: "if (!LOOPBACK_NAMES.has(host.toLowerCase()))",
    replace: 'if (!LOOPBACK_NAMES.has(host.toLowerCase()) && host === "")',
    tests: SERVE_TESTS,
  },
  {
    name: "serve host guard: dropped",
    file: "src/serve/http.ts",
    find: "app.use(securityHeaders(), hostGuard(port), originGuard(port), tokenGuard(opts.token))",
    replace: "app.use(securityHeaders(), originGuard(port), tokenGuard(opts.token))",
    tests: SERVE_TESTS,
  },
  {
    name: "serve origin guard: any Origin passes",
    file: "src/serve/http.ts",
    find: "if (origin !== undefined && !allowed.has(origin)) return c.body(null, 403)",
    replace: 'if (origin === undefined && !allowed.has(origin ?? "")) return c.body(null, 403)',
    tests: SERVE_TESTS,
  },
  {
    name: "serve token: only the length compared",
    file: "src/serve/token.ts",
    find: "return given.length === want.length && timingSafeEqual(given, want)",
    replace: "return given.length === want.length",
    tests: SERVE_TESTS,
  },
  {
    name: "serve token file: left as it was found",
    file: "src/serve/token.ts",
    find: "await writeFileAtomic(file, `${existing}\\n`, { mode: 0o600, keepMode: false })",
    replace: "await writeFileAtomic(file, `${existing}\\n`, { mode: 0o600 })",
    tests: SERVE_TESTS,
  },
  // I15: the web install page's link is read only for this build's page
  {
    name: "install page link: any host with the page's path passes",
    file: "src/install/link-web.ts",
    find: 'url.protocol === "https:" && url.origin === p.origin && url.pathname === p.pathname',
    replace: 'url.protocol === "https:" && url.pathname === p.pathname',
    tests: ["tests/install/links-web.test.ts"],
  },
  {
    name: "install page link: a query next to the fragment passes",
    file: "src/install/link-web.ts",
    find: 'if (url.search !== "")',
    replace: "if (false)",
    tests: ["tests/install/links-web.test.ts"],
  },
  // I16: the page shows fragment data as text and links only to our re-encoded link
  {
    name: "web install page: the screen rendered as HTML",
    file: "web/install-page.ts",
    find: 'byId("screen").textContent = view.lines.join("\\n")',
    replace: 'byId("screen").innerHTML = view.lines.join("\\n")',
    tests: ["tests/e2e/web-install-page.test.ts"],
  },
  {
    name: "web install page: the offered link is the fragment's text, not re-encoded",
    file: "src/install/link-page.ts",
    find: 'const link = formatInstallLink(req.name, req.entry, "agentrt")',
    replace: "const link = `agentrt://mcp/install?${fragment}`",
    tests: ["tests/install/link-page.test.ts"],
  },
  // C11-C15: the organisation's policy (docs/policy.md)
  {
    name: "policy: a ${VAR} that expands to a denied command is not checked again once read (C12)",
    file: "src/config/resolve.ts",
    find: 'return (r.status === "ready" && policyBlock(entry, r.server, opts.policy, false)) || r',
    replace: "return r",
    tests: ["tests/cli/policy.test.ts"],
  },
  {
    name: "policy: a deny rule's arguments must match all of them (appending one slips past, C11)",
    file: "src/config/policy-match.ts",
    find: 'return rest || mode === "deny" || args.length === fixed.length',
    replace: "return rest || args.length === fixed.length",
    tests: ["tests/config/policy.test.ts"],
  },
  {
    name: "policy: an unknown field in the policy file is ignored (C13)",
    file: "src/config/policy.ts",
    find: "  if (unknown) throw new ConfigError",
    replace: "  if (unknown && false) throw new ConfigError",
    tests: ["tests/config/policy.test.ts"],
  },
  {
    name: "policy: writes are not checked (C15)",
    file: "src/cli/shared/config-write.ts",
    find: "for (const { name, entry } of entries) checkPolicy(target, name, entry, opts.policy, opts.origin)",
    replace: "",
    tests: ["tests/cli/policy.test.ts"],
  },
  // I30-I35: MCPB bundles (src/install/bundle-*.ts)
  {
    name: "bundle: symlink entries unpacked as files",
    file: "src/install/bundle-zip.ts",
    find: "if (kind === S_IFLNK) throw",
    replace: "if (kind === -1) throw",
    tests: BUNDLE_ZIP_TESTS,
  },
  {
    name: "bundle: absolute entry names accepted",
    file: "src/install/bundle-zip.ts",
    find: 'if (name.startsWith("/")) throw',
    replace: 'if (name.startsWith("//")) throw',
    tests: BUNDLE_ZIP_TESTS,
  },
  {
    name: "bundle: '..' segments accepted",
    file: "src/install/bundle-zip.ts",
    find: 'if (parts.includes("..")) throw',
    replace: 'if (parts.includes("...")) throw',
    tests: BUNDLE_ZIP_TESTS,
  },
  {
    name: "bundle: duplicate entries accepted",
    file: "src/install/bundle-zip.ts",
    find: "if (before && !(before.isDirectory && entry.isDirectory))",
    replace: "if (before && before.isDirectory && !entry.isDirectory)",
    tests: BUNDLE_ZIP_TESTS,
  },
  {
    name: "bundle: declared unpacked total not capped",
    file: "src/install/bundle-zip.ts",
    find: "if (total > limits.maxTotalBytes)",
    replace: "if (total > limits.maxTotalBytes * 1e6)",
    tests: BUNDLE_ZIP_TESTS,
  },
  {
    name: "bundle: inflating not bounded by the declared size",
    file: "src/install/bundle-zip.ts",
    find: "maxOutputLength: Math.max(entry.size, 1)",
    replace: "maxOutputLength: 2 ** 30",
    tests: BUNDLE_ZIP_TESTS,
  },
  {
    name: "bundle: --sha256 not compared",
    file: "src/install/bundle-fetch.ts",
    find: "if (want !== actual) {",
    replace: 'if (want === "") {',
    tests: ["tests/install/bundle-fetch.test.ts", "tests/cli/install-bundle.test.ts"],
  },
  {
    name: "bundle: plain http to any host",
    file: "src/install/bundle-fetch.ts",
    find: 'const isLoopbackHttp = u.protocol === "http:" && LOOPBACK.has(u.hostname)',
    replace: 'const isLoopbackHttp = u.protocol === "http:"',
    tests: ["tests/install/bundle-fetch.test.ts"],
  },
  {
    name: "bundle: manifest text written unescaped into ${…} templates",
    file: "src/install/bundle-entry.ts",
    find: String.raw`.replace(/\$/g, "$$$$")`,
    replace: String.raw`.replace(/\$\$/g, "$$$$")`,
    tests: ["tests/install/bundle-entry.test.ts"],
  },
  // I18: agent mcp export never copies a secret, a project server or a reference the client cannot read
  {
    name: "export: a literal secret copied into the other client's file",
    file: "src/install/export.ts",
    find: "if (secrets.length > 0) {",
    replace: "if (secrets.length > 99) {",
    tests: EXPORT_TESTS,
  },
  {
    name: "export: a project server exported without --proxy",
    file: "src/install/export.ts",
    find: 'if (s.scope === "project")',
    replace: 'if (s.scope === "nobody")',
    tests: EXPORT_TESTS,
  },
  {
    name: "export: a reference written for a client that does not expand it",
    file: "src/install/export-clients.ts",
    find: 'if (style === "none") return',
    replace: 'if (style === "nobody") return',
    tests: EXPORT_TESTS,
  },
  {
    name: "export diff: the other file's secrets shown",
    file: "src/install/export-diff.ts",
    find: "return redactTokens(masked)",
    replace: "return line",
    tests: EXPORT_TESTS,
  },
  // I19: the other client's file changes only as approved
  {
    name: "export: the re-parse check skipped",
    file: "src/install/export-write.ts",
    find: "if (!ours || !isDeepStrictEqual(normal(strip(before)), normal(strip(after)))) {",
    replace: "if (ours && Math.random() > 2) {",
    tests: EXPORT_TESTS,
  },
  {
    name: "export: the client's own entry replaced without --force",
    file: "src/install/export.ts",
    find: "if (old !== undefined && !opts.force) {",
    replace: "if (old !== undefined && opts.force === undefined) {",
    tests: EXPORT_TESTS,
  },
  {
    name: "export: written without approval",
    file: "src/cli/mcp/export.ts",
    find: "  if (yes) return",
    replace: "  if (yes || !yes) return",
    tests: EXPORT_CLI_TESTS,
  },
]
