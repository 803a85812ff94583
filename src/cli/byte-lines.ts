/**
 * Splits a byte stream into lines at each `\n` (or another delimiter), as bytes: nothing is decoded, so what arrives is
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

const NEWLINE = Buffer.from('\n')

/**
 * The records of `input`, split at each `delimiter` (default `\n`; any bytes, e.g. `\0` or `--\n`),
 * given as one list per chunk read: the lines that chunk completed, in order (a chunk that
 * completes none gives nothing). A caller handles a chunk's lines in one synchronous pass and
 * learns where the input paused (a line typed on a terminal is a chunk of its own). A delimiter
 * that spans two chunks is still found: the last `delimiter.length - 1` bytes of a chunk wait for
 * the next one before they count as data.
 */
export async function * byteLines (input: AsyncIterable<Buffer | string>, maxLineBytes: number, delimiter: Buffer = NEWLINE): AsyncGenerator<InputLine[]> {
  // The start of a line that began in an earlier chunk, or how many bytes it had once too long.
  let parts: Buffer[] = []
  let size = 0
  let oversized: number | undefined
  let carry = Buffer.alloc(0)
  const take = (piece: Buffer): void => {
    if (oversized === undefined && size + piece.length > maxLineBytes) {
      oversized = size
      parts = []
    }
    if (oversized !== undefined) oversized += piece.length
    else if (piece.length > 0) parts.push(piece)
    size += piece.length
  }
  const joined = (): InputLine => {
    const done = oversized !== undefined
      ? { oversizedBytes: oversized, limitBytes: maxLineBytes }
      : parts.length === 1 ? parts[0] as Buffer : Buffer.concat(parts, size)
    parts = []
    size = 0
    oversized = undefined
    return done
  }
  for await (const data of input) {
    const read = typeof data === 'string' ? Buffer.from(data) : data
    const chunk = carry.length === 0 ? read : Buffer.concat([carry, read])
    const lines: InputLine[] = []
    let start = 0
    for (let at = chunk.indexOf(delimiter, start); at >= 0; at = chunk.indexOf(delimiter, start)) {
      // A line within one chunk (the common case) is a view of it, no copy; one spanning chunks is joined.
      if (size === 0 && oversized === undefined && at - start <= maxLineBytes) lines.push(chunk.subarray(start, at))
      else {
        take(chunk.subarray(start, at))
        lines.push(joined())
      }
      start = at + delimiter.length
    }
    const held = Math.min(delimiter.length - 1, chunk.length - start)
    take(chunk.subarray(start, chunk.length - held))
    carry = Buffer.from(chunk.subarray(chunk.length - held))
    if (lines.length > 0) yield lines
  }
  take(carry)
  // A last line without its delimiter is still a line (as kcat reads it); an empty tail is not.
  if (oversized !== undefined || size > 0) yield [joined()]
}
