// The response headers every local page carries, in a leaf file: app.ts stamps them on every
// response and install-page.ts sets the form variant, without either importing the other.

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  // No script at all; inline style only; forms post back to us; never framed (L06).
  "Content-Security-Policy":
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "X-Frame-Options": "DENY",
  // Pages with a form answer "same-origin" instead (FORM_REFERRER_POLICY).
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
}

/**
 * Under `no-referrer` the Fetch spec serialises the Origin of a form POST as "null", which
 * originGuard must refuse (L04); a page holding a form therefore sets this, which still sends
 * no referrer to any other origin.
 */
export const FORM_REFERRER_POLICY = "same-origin"
