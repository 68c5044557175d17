import { nodeUtil } from "../../util/log.ts"
import { runSecrets, type SecretSet } from "../../util/secrets.ts"

// P03: the last line of defence for "an approved ${VAR} value appears in no output". Every byte
// agent prints goes through process.stdout.write or process.stderr.write (output.ts, consola,
// the error reporter, prompts, progress), so redacting there means a new code path cannot
// forget it. The JSON writers also redact string values before serialising (printJson, the run
// report), so a document stays valid JSON whatever the value holds; here the JSON-escaped
// spelling of each value is replaced by `***`/`[redacted:NAME]`, which is JSON-safe as well.
//
// stdout also carries streamed model text, where a value may arrive split across two chunks: the
// guard holds back a tail that could be the start of a value until the next write (main.ts
// ends with an empty write, which flushes it). stderr is not held back: a prompt must show at once,
// and everything on stderr is written in whole lines or messages.

type Write = (chunk: unknown, encoding?: unknown, cb?: unknown) => boolean

const guarded = new WeakSet<object>()

export function guardOutput(set: SecretSet = runSecrets): void {
  // Once per process: the daemon runs runCli once per request.
  if (guarded.has(process.stdout)) return
  guarded.add(process.stdout)
  guardStream(process.stdout, set, true)
  guardStream(process.stderr, set, false)
  // Bun's console writes to the file descriptors directly, past the guard; a dependency's
  // console.warn (the AI SDK's warnings, say) goes through the streams instead. Only console.log
  // keeps stdout; a dependency's info or debug line must not end up inside a JSON result.
  const to =
    (stream: NodeJS.WriteStream) =>
    (...args: unknown[]) =>
      void stream.write(`${nodeUtil().format(...args)}\n`)
  console.log = to(process.stdout)
  console.info = console.debug = console.warn = console.error = to(process.stderr)
}

/** Replaces `stream.write` with one that redacts `set`; `isHoldingBack` for streams that carry streamed text. */
export function guardStream(stream: { write: unknown }, set: SecretSet, isHoldingBack: boolean): void {
  const original = (stream.write as Write).bind(stream)
  let pending = ""
  const write: Write = (chunk, encoding, cb) => {
    if (typeof encoding === "function") [cb, encoding] = [encoding, undefined]
    if (set.size === 0 && !pending) return original(chunk, encoding, cb)
    let text =
      pending +
      (typeof chunk === "string"
        ? chunk
        : chunk instanceof Uint8Array
          ? Buffer.from(chunk).toString("utf8")
          : String(chunk))
    pending = ""
    // An empty write is a flush (main.ts drains stdout with one before exiting).
    const isFlush =
      typeof chunk === "string" ? chunk === "" : chunk instanceof Uint8Array && chunk.length === 0
    text = set.redact(text)
    if (isHoldingBack && !isFlush) {
      const held = set.partialTail(text)
      if (held > 0) {
        pending = text.slice(-held)
        text = text.slice(0, -held)
      }
    }
    return original(text, "utf8", cb)
  }
  stream.write = write
}
