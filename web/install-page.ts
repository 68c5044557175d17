// The web install page's script (install.html; bundled by scripts/build-web.ts with the link
// code of src/install, so the page checks and shows a link exactly as `agent install` does).
// Everything from the fragment reaches the page through textContent or an input's value, never
// as HTML, and the only link the page makes is our re-encoded agentrt:// one (I16). The CSP in
// install.html allows this one script and, with Trusted Types, no HTML sink at all.
import { viewFragment } from "../src/install/link-page.ts"

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id)
  if (!el) throw new Error(`install.html has no #${id}`)
  return el as T
}

function render(): void {
  const view = viewFragment(location.hash)
  const server = byId("server")
  const error = byId("error")
  if (view.status === "refused") {
    server.hidden = true
    byId("error-message").textContent = view.message
    byId("error-hint").textContent = view.hint ?? ""
    byId<HTMLInputElement>("command").value = ""
    byId<HTMLInputElement>("link").value = ""
    byId<HTMLAnchorElement>("open").removeAttribute("href")
    byId("title").textContent = "This install link cannot be used"
    error.hidden = false
    return
  }
  error.hidden = true
  document.title = `Add “${view.name}” to agent`
  byId("title").textContent = `Add the MCP server “${view.name}” to agent`
  byId("screen").textContent = view.lines.join("\n")
  byId<HTMLInputElement>("command").value = view.command
  byId<HTMLInputElement>("link").value = view.link
  // I16: always "agentrt://mcp/install?…", built by formatInstallLink; never the fragment's text.
  byId<HTMLAnchorElement>("open").href = view.link
  server.hidden = false
}

async function copy(button: HTMLButtonElement): Promise<void> {
  const input = byId<HTMLInputElement>(button.dataset.copy ?? "")
  input.select()
  try {
    await navigator.clipboard.writeText(input.value)
    button.textContent = "Copied"
  } catch {
    // No clipboard permission (an old browser, an insecure context): the text is selected instead.
    button.textContent = "Press Ctrl+C"
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll<HTMLButtonElement>("button[data-copy]"))
    button.addEventListener("click", () => void copy(button))
  render()
})
window.addEventListener("hashchange", render)
