import { escapeTerminal, hiddenCodePoints } from "../util/text.ts"
import { errorText, finding, type Finding } from "./doctor-types.ts"
import type { Manager, ServerState } from "./types.ts"

// P10: text that hides text. Tag characters (U+E0000-E007F) spell words a model reads and a
// person never sees; fillers (U+3164, U+115F) and the other default-ignorable code points render
// as nothing. agent writes them out wherever it shows them, and doctor names every prompt and
// resource whose name, title or description holds one (tools: doctor-tools.ts, same wording).

export const HIDDEN_HINT =
  "agent shows them escaped, and the model gets them written out; such text can carry instructions a person does not see, so review this server"

/** `description: U+E0049, U+E0047; title: U+3164`, or undefined when every field is clean. */
export function hiddenIn(fields: Record<string, string | undefined>): string | undefined {
  const parts = Object.entries(fields).flatMap(([field, text]) => {
    const found = text === undefined ? [] : hiddenCodePoints(text)
    return found.length
      ? [
          `${field}: ${found.slice(0, 12).join(", ")}${found.length > 12 ? `, and ${found.length - 12} more` : ""}`,
        ]
      : []
  })
  return parts.length ? parts.join("; ") : undefined
}

/** The warning for one tool, prompt or resource whose texts hide code points; none when clean. */
export function hiddenTextFinding(
  check: string,
  label: string,
  fields: { name: string; title?: string; description?: string },
): Finding[] {
  const where = hiddenIn(fields)
  return where
    ? [finding(check, "warn", `${label} has hidden or control characters in its ${where}`, HIDDEN_HINT)]
    : []
}

/** The three texts checked, in the order the message names them (never the whole object). */
function textsOf(x: { name: string; title?: string; description?: string }) {
  return { name: x.name, title: x.title, description: x.description }
}

/** Findings for the prompts and resources of each connected server that has any. */
export async function checkPromptsAndResources(
  states: ServerState[],
  manager: Manager,
): Promise<Map<string, Finding[]>> {
  const out = new Map<string, Finding[]>()
  for (const s of states) {
    if (s.status !== "connected") continue
    const list: Finding[] = []
    if (s.counts.prompts > 0)
      list.push(...(await listed("prompts.text", "prompt", () => promptFindings(s.name, manager))))
    if (s.counts.resources > 0)
      list.push(...(await listed("resources.text", "resource", () => resourceFindings(s.name, manager))))
    out.set(s.name, list)
  }
  return out
}

/** A list that cannot be read is one warning saying its texts were not checked, not a failed doctor. */
async function listed(check: string, what: string, read: () => Promise<Finding[]>): Promise<Finding[]> {
  try {
    return await read()
  } catch (e: unknown) {
    return [
      finding(
        check,
        "warn",
        escapeTerminal(`${what}s/list failed, so ${what} texts were not checked: ${errorText(e)}`),
      ),
    ]
  }
}

async function promptFindings(server: string, manager: Manager): Promise<Finding[]> {
  const prompts = await manager.prompts(server)
  return prompts.flatMap(({ prompt }) =>
    hiddenTextFinding("prompts.text", `prompt ${escapeTerminal(prompt.name)}`, textsOf(prompt)),
  )
}

async function resourceFindings(server: string, manager: Manager): Promise<Finding[]> {
  const [found] = await manager.resources(server)
  if (!found) return []
  return [
    ...found.resources.flatMap((r) =>
      hiddenTextFinding("resources.text", `resource ${escapeTerminal(r.uri)}`, textsOf(r)),
    ),
    ...found.templates.flatMap((t) =>
      hiddenTextFinding("resources.text", `resource template ${escapeTerminal(t.uriTemplate)}`, {
        name: t.name,
        description: t.description,
      }),
    ),
  ]
}
