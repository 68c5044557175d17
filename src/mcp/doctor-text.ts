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

/** Findings for the prompts and resources of each connected server that has any. */
export async function checkPromptsAndResources(
  states: ServerState[],
  manager: Manager,
): Promise<Map<string, Finding[]>> {
  const out = new Map<string, Finding[]>()
  for (const s of states) {
    if (s.status !== "connected") continue
    const list: Finding[] = []
    if (s.counts.prompts > 0) list.push(...(await promptFindings(s.name, manager)))
    if (s.counts.resources > 0) list.push(...(await resourceFindings(s.name, manager)))
    out.set(s.name, list)
  }
  return out
}

async function promptFindings(server: string, manager: Manager): Promise<Finding[]> {
  try {
    const prompts = await manager.prompts(server)
    return prompts.flatMap(({ prompt }) => {
      const where = hiddenIn({ name: prompt.name, title: prompt.title, description: prompt.description })
      return where
        ? [
            finding(
              "prompts.text",
              "warn",
              `prompt ${escapeTerminal(prompt.name)} has hidden or control characters in its ${where}`,
              HIDDEN_HINT,
            ),
          ]
        : []
    })
  } catch (e: unknown) {
    return [
      finding(
        "prompts.text",
        "warn",
        escapeTerminal(`prompts/list failed, so prompt texts were not checked: ${errorText(e)}`),
      ),
    ]
  }
}

async function resourceFindings(server: string, manager: Manager): Promise<Finding[]> {
  try {
    const [found] = await manager.resources(server)
    if (!found) return []
    const items = [
      ...found.resources.map((r) => ({
        kind: "resource",
        id: r.uri,
        name: r.name,
        title: r.title,
        description: r.description,
      })),
      ...found.templates.map((t) => ({
        kind: "resource template",
        id: t.uriTemplate,
        name: t.name,
        title: undefined,
        description: t.description,
      })),
    ]
    return items.flatMap((r) => {
      const where = hiddenIn({ name: r.name, title: r.title, description: r.description })
      return where
        ? [
            finding(
              "resources.text",
              "warn",
              `${r.kind} ${escapeTerminal(r.id)} has hidden or control characters in its ${where}`,
              HIDDEN_HINT,
            ),
          ]
        : []
    })
  } catch (e: unknown) {
    return [
      finding(
        "resources.text",
        "warn",
        escapeTerminal(`resources/list failed, so resource texts were not checked: ${errorText(e)}`),
      ),
    ]
  }
}
