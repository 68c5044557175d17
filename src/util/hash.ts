// Hashes and random names without node:crypto: importing it costs every command ~3 ms of
// start-up (docs/performance.md, 2026-12-06), and what the hot paths need is Bun's native
// SHA-256 and the Web Crypto random source. Same output as createHash / randomBytes.

/** SHA-256 of `text` (UTF-8) as lowercase hex, as createHash("sha256").update(text).digest("hex"). */
export function sha256Hex(text: string): string {
  return new Bun.CryptoHasher("sha256").update(text).digest("hex")
}

/** `bytes` random bytes from the CSPRNG as hex, as randomBytes(bytes).toString("hex"). */
export function randomHex(bytes: number): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("hex")
}
