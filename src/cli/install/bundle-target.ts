// Whether `agent install X` means a bundle; kept apart from bundle.ts so that installing a link
// or a catalog entry does not load the bundle code.

/** A path or URL ending in .mcpb, or anything given with --sha256 (a registry's download URL). */
export function isBundleTarget(input: string, sha256?: string): boolean {
  if (sha256 !== undefined) return true
  if (/^https?:\/\//i.test(input)) {
    try {
      return new URL(input).pathname.toLowerCase().endsWith(".mcpb")
    } catch {
      return false // not a URL: the link parser reports it
    }
  }
  return input.toLowerCase().endsWith(".mcpb")
}
