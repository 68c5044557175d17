import { UsageError } from "../util/errors.ts"

// `--http [127.0.0.1:]PORT` (docs/serve.md). L09: agent's servers carry the user's sign-ins and
// approved secrets, so the HTTP endpoint binds loopback only: never 0.0.0.0, ::, or a LAN address
// (anyone on the network could call every tool). `localhost` is accepted and bound as 127.0.0.1,
// as the local server does (src/server/serve.ts, L01: it may resolve elsewhere).

export const SERVE_HOST = "127.0.0.1"
const LOOPBACK_NAMES = new Set(["127.0.0.1", "localhost"])

export interface BindAddress {
  host: typeof SERVE_HOST
  /** 0: a free port, printed once bound. */
  port: number
}

export function parseBind(raw: string): BindAddress {
  const text = raw.trim()
  const i = text.lastIndexOf(":")
  const host = i < 0 ? SERVE_HOST : text.slice(0, i)
  const portText = i < 0 ? text : text.slice(i + 1)
  if (!LOOPBACK_NAMES.has(host.toLowerCase()))
    throw new UsageError(`--http binds loopback only; "${host}" is not 127.0.0.1`, {
      hint: "use --http 127.0.0.1:PORT (or just PORT); to reach it from elsewhere, tunnel to it (ssh -L), never bind a network address",
    })
  const port = Number(portText)
  if (!/^\d+$/.test(portText) || !Number.isInteger(port) || port > 65_535)
    throw new UsageError(`--http: "${portText}" is not a port (0-65535)`, {
      hint: "for example --http 8931, or --http 0 for a free port",
    })
  return { host: SERVE_HOST, port }
}
