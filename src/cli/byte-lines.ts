/**
 * Splits a byte stream into lines at each `\n`, as bytes: nothing is decoded, so what arrives is
 * what a line holds, byte for byte (invalid UTF-8 and `\r` included). A line longer than
 * `maxLineBytes` is never held whole: its bytes are counted and dropped as they arrive, and it is
 * reported by size, so memory stays bounded whatever the input.
 */

/** A line that was too long to keep: how many bytes it had (without the `\n`), and the limit. */
export interface OversizedLine {
  oversizedBytes: number
  limitBytes: number
}

export type InputLine = Buffer | OversizedLine

const NEWLINE = 0x0a

export async function * byteLines (input: AsyncIterable<Buffer | string>, maxLineBytes: number): AsyncGenerator<InputLine> {
  let parts: Buffer[] = []
  let size = 0
  let oversized: number | undefined
  for await (const data of input) {
    const chunk = typeof data === 'string' ? Buffer.from(data) : data
    let start = 0
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start)
      const end = newline < 0 ? chunk.length : newline
      const piece = end - start
      if (oversized === undefined && size + piece > maxLineBytes) {
        oversized = size
        parts = []
      }
      if (oversized !== undefined) oversized += piece
      else if (piece > 0) parts.push(chunk.subarray(start, end))
      size += piece
      if (newline < 0) break
      yield oversized === undefined ? Buffer.concat(parts, size) : { oversizedBytes: oversized, limitBytes: maxLineBytes }
      parts = []
      size = 0
      oversized = undefined
      start = newline + 1
    }
  }
  // A last line without its `\n` is still a line (as kcat reads it); an empty tail is not.
  if (oversized !== undefined) yield { oversizedBytes: oversized, limitBytes: maxLineBytes }
  else if (size > 0) yield Buffer.concat(parts, size)
}
