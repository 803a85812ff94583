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
 * The records of `input`, split at each `delimiter` (default `\n`; any bytes, e.g. `\0` or `--\n`). A
 * delimiter that spans two chunks is still found: the last `delimiter.length - 1` bytes of a chunk
 * wait for the next one before they count as data.
 */
export async function * byteLines (input: AsyncIterable<Buffer | string>, maxLineBytes: number, delimiter: Buffer = NEWLINE): AsyncGenerator<InputLine> {
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
  const line = (): InputLine => {
    // A line within one chunk is a view of it (no copy); one spanning chunks is joined.
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
    let start = 0
    for (let at = chunk.indexOf(delimiter, start); at >= 0; at = chunk.indexOf(delimiter, start)) {
      take(chunk.subarray(start, at))
      yield line()
      start = at + delimiter.length
    }
    const held = Math.min(delimiter.length - 1, chunk.length - start)
    take(chunk.subarray(start, chunk.length - held))
    carry = Buffer.from(chunk.subarray(chunk.length - held))
  }
  take(carry)
  // A last line without its delimiter is still a line (as kcat reads it); an empty tail is not.
  if (oversized !== undefined || size > 0) yield line()
}
