// A newline splitter with a hard per-line cap (T06). Chunks are kept in a list and joined
// once per line, so memory stays at most one line (≤ limit) plus one chunk, and a 200 MB
// line is discarded as it streams instead of being buffered.
export class LineSplitter {
  private parts: Buffer[] = []
  private size = 0
  private discarding = false

  constructor(
    private readonly limit: number,
    private readonly onLine: (line: Buffer) => void,
    private readonly onOversize: (bytes: number) => void,
  ) {}

  push(chunk: Buffer) {
    let start = 0
    while (start < chunk.length) {
      const nl = chunk.indexOf(10, start)
      const end = nl === -1 ? chunk.length : nl
      this.take(chunk.subarray(start, end))
      if (nl === -1) return
      this.finish()
      start = nl + 1
    }
  }

  private take(piece: Buffer) {
    if (piece.length === 0) return
    if (this.discarding) return
    if (this.size + piece.length > this.limit) {
      // Report at once: waiting for the end of a 200 MB line would only delay the error.
      this.discarding = true
      const bytes = this.size + piece.length
      this.parts = []
      this.size = 0
      this.onOversize(bytes)
      return
    }
    this.parts.push(piece)
    this.size += piece.length
  }

  private finish() {
    if (this.discarding) {
      this.discarding = false
      return
    }
    const line = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size)
    this.parts = []
    this.size = 0
    this.onLine(line)
  }
}
