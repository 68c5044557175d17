// HTML for the local pages. Everything shown comes from a link or a server we do not trust,
// so every interpolated string goes through escapeHtml; the pages load nothing and run no
// script (the CSP in app.ts forbids both), so the style is inline.

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
}

/** Safe in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string)
}

const STYLE = `
  :root { color-scheme: light dark; --fg: #1f2328; --bg: #f6f8fa; --card: #fff; --line: #d0d7de; --muted: #59636e; --ok: #1a7f37; --no: #cf222e; }
  @media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --card: #161b22; --line: #30363d; --muted: #9198a1; } }
  * { box-sizing: border-box; }
  body { margin: 0; padding: 2rem 1rem; background: var(--bg); color: var(--fg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
  main { max-width: 46rem; margin: 0 auto; background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 1.5rem 1.75rem; }
  h1 { font-size: 1.35rem; margin: 0 0 .5rem; overflow-wrap: anywhere; }
  p { margin: .5rem 0; }
  .muted { color: var(--muted); }
  .warn { border-left: 4px solid #bf8700; padding: .4rem .8rem; background: rgba(191,135,0,.08); border-radius: 4px; }
  pre { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: .8rem 1rem; margin: 1rem 0;
        font: 13px/1.55 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: pre-wrap; overflow-wrap: anywhere; }
  form { display: flex; gap: .75rem; margin-top: 1.25rem; }
  button { font: inherit; font-weight: 600; padding: .55rem 1.4rem; border-radius: 6px; border: 1px solid var(--line); cursor: pointer; }
  button.approve { background: var(--ok); border-color: var(--ok); color: #fff; }
  button.deny { background: var(--card); color: var(--no); }
  .ok { color: var(--ok); } .no { color: var(--no); }
`

/** A whole page; `body` must already be escaped HTML. */
export function renderPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`
}
