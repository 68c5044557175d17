import { createParseCache } from "../../config/index.ts"
import { isBaseEnv, type Caller, type Pool } from "../../daemon/index.ts"
import { runInterruptHandlers, takeInterruptHandlers } from "../../util/abort.ts"
import { resetWrittenStdout } from "../shared/output.ts"
import { timeline } from "../shared/trace.ts"
import {
  HandBackError,
  NeedMoreEnvError,
  asWarmRequest,
  leaveWarmRequest,
  type WarmRequest,
} from "../shared/warm.ts"

// One caller's command, run inside the daemon (docs/daemon.md "What it does for a command"). S31: the
// command sees the caller's environment only as far as the caller sent it; a variable it reads
// that was not sent (an approved ${VAR}: resolveServers reads one only after its approval) is
// asked for, and the attempt runs again with its value. Output is held until the command has
// passed its approvals, so a repeated attempt prints nothing twice.

/** What `agent run` reads to reach its model (src/agent/providers.ts), asked for up front. */
const MODEL_ENV = [
  "AGENT_MODEL",
  "ANTHROPIC_API_KEY",
  "ANTHROPIC_BASE_URL",
  "OPENAI_API_KEY",
  "OPENAI_BASE_URL",
  "OPENAI_ORG_ID",
  "OPENAI_PROJECT_ID",
  "GOOGLE_GENERATIVE_AI_API_KEY",
  "GOOGLE_GENERATIVE_AI_BASE_URL",
  "OPENAI_COMPATIBLE_API_KEY",
  "OPENAI_COMPATIBLE_BASE_URL",
  "AWS_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_BEARER_TOKEN_BEDROCK",
  "AWS_BEDROCK_BASE_URL",
]

type Outcome =
  | { kind: "exit"; code: number }
  | { kind: "more"; names: string[] }
  | { kind: "handback"; reason: string }

export function createExecutor(deps: {
  pool: Pool
  runCli: (argv: string[]) => Promise<number>
  log: (l: string) => void
  /** AGENTRT_TRACE: each request's milestones go to the log (docs/performance.md). */
  isTraced?: boolean
}) {
  // Names a command read after its output began (too late to ask): asked for first next time.
  const learned = new Map<string, Set<string>>()
  const parseCache = createParseCache()

  return async (caller: Caller): Promise<void> => {
    const req = caller.request
    const values: Record<string, string> = { ...req.env }
    const asked = new Set(Object.keys(req.env))
    const key = `${req.cwd}\0${req.argv[0] ?? ""}`
    let hasShownPre = false
    // AGENTRT_TRACE: this request's milestones, from its arrival, logged in one piece when it ends.
    const traced: string[] = []
    const trace = deps.isTraced ? timeline(caller.receivedAt, 2, (line) => traced.push(line)) : undefined
    trace?.("request taken")

    const fetchEnv = async (names: string[]) => {
      const wanted = names.filter((n) => !asked.has(n))
      if (wanted.length === 0) return
      deps.log(`asking the caller for ${wanted.join(", ")} (names only are logged)`)
      caller.send({ t: "env?", names: wanted })
      const answer = await caller.receive("env")
      for (const n of wanted) {
        asked.add(n)
        const v = answer.values[n]
        if (typeof v === "string") values[n] = v
      }
    }

    await fetchEnv([...(learned.get(key) ?? []), ...(req.argv[0] === "run" ? MODEL_ENV : [])])
    for (let round = 0; round < 8; round++) {
      const outcome = await attempt()
      if (outcome.kind === "more") {
        // Not remembered for next time: an approval may be revoked by then, and a value the
        // command would not read must not be sent (S31). The second attempt costs a config load.
        await fetchEnv(outcome.names)
        continue
      }
      if (outcome.kind === "handback") caller.send({ t: "fallback", reason: outcome.reason })
      else caller.send({ t: "exit", code: outcome.code })
      trace?.("answered")
      if (trace) deps.log(traced.join("\n"))
      return
    }
    caller.send({ t: "fallback", reason: "the command kept asking for more of the environment" })

    async function attempt(): Promise<Outcome> {
      const missing = new Set<string>()
      const late = new Set<string>()
      let held: { fd: 1 | 2; data: string }[] = []
      let isCommitted = false
      let isCheckpointed = false
      let stop: Outcome | undefined
      const env = new Proxy(values, {
        get(target, name) {
          if (typeof name !== "string") return undefined
          // A base name the caller did not send is one it does not have (isBaseEnv: always sent).
          if (!asked.has(name) && !isBaseEnv(name)) (isCommitted ? late : missing).add(name)
          return target[name]
        },
      }) as Record<string, string | undefined>
      const flush = () => {
        for (const h of held) caller.send({ t: "out", fd: h.fd, data: h.data })
        held = []
      }
      const checkpoint = () => {
        if (missing.size > 0) {
          stop = { kind: "more", names: [...missing] }
          throw new NeedMoreEnvError([...missing])
        }
        if (isCheckpointed) return
        isCheckpointed = true
        // A repeated attempt already showed what comes before this point (its warnings, a prompt).
        if (hasShownPre) held = []
      }
      const warm: WarmRequest = {
        cwd: req.cwd,
        env,
        tty: req.tty,
        pool: deps.pool,
        parseCache,
        ...(trace && { trace }),
        write: (fd, data) =>
          isCommitted ? caller.send({ t: "out", fd, data }) : void held.push({ fd, data }),
        checkpoint,
        commit() {
          checkpoint()
          isCommitted = true
          flush()
        },
        handBack(reason) {
          stop = { kind: "handback", reason }
          throw new HandBackError(reason)
        },
        async ask() {
          flush()
          hasShownPre = true
          caller.send({ t: "ask" })
          return (await caller.receive("answer")).text
        },
        async readStdin() {
          caller.send({ t: "stdin?" })
          return (await caller.receive("stdin")).text
        },
        tunnel() {
          warm.commit()
          caller.send({ t: "tunnel" })
          // From here on this session runs beside other requests: it is not the current one (its
          // output goes to the tunnel, its log lines to the daemon's log), and its Ctrl-C is its own.
          interruptTunnel = takeInterruptHandlers()
          leaveWarmRequest(warm)
          isActive = false
          caller.release()
          deps.log(`"${req.argv.slice(0, 2).join(" ")}" serves its client through the daemon`)
          return {
            write: (data) => caller.send({ t: "out", fd: 1, data }),
            onData: (fn) => caller.onInput(fn),
          }
        },
      }
      let isActive = true
      let interruptTunnel: (() => void) | undefined
      caller.onCancel(() => {
        // Ctrl-C in the caller: what main.ts does on SIGINT, for this command only (S03, T04).
        // A tunnelled session has its own handlers (taken at tunnel()): no other command's end.
        if (interruptTunnel) interruptTunnel()
        else if (isActive) runInterruptHandlers()
      })
      process.exitCode = undefined
      resetWrittenStdout()
      let code: number
      try {
        code = await asWarmRequest(warm, async () => {
          trace?.("command starts")
          const c = await deps.runCli(req.argv)
          trace?.("command returned")
          // main.ts's final empty write: the redaction guard lets go of a held-back tail.
          await new Promise<void>((r) => process.stdout.write("", () => r()))
          trace?.("output flushed")
          return c
        })
      } finally {
        isActive = false
        process.exitCode = undefined
      }
      if (stop) return stop
      if (!isCommitted && missing.size > 0) return { kind: "more", names: [...missing] }
      if (late.size > 0) {
        deps.log(`learned that "${req.argv[0]}" reads ${[...late].join(", ")}; asked for first next time`)
        learned.set(key, new Set([...(learned.get(key) ?? []), ...late]))
      }
      flush()
      return { kind: "exit", code }
    }
  }
}
