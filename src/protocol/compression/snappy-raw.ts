/**
 * A bounded decoder for raw snappy blocks: a varint uncompressed length, then literals and
 * back-references. Written here because the decoder in snappyjs can loop forever on corrupt
 * input; this one checks every length and offset and always advances.
 */
import { decodeFailure, tooLarge } from './codec.ts'

function fail (message: string): never {
  throw decodeFailure('snappy', new Error(message))
}

function readLength (input: Uint8Array): { length: number, at: number } {
  let length = 0
  for (let at = 0, shift = 0; at < input.length && shift < 35; at++, shift += 7) {
    length += (input[at] & 0x7f) * 2 ** shift
    if ((input[at] & 0x80) === 0) return { length, at: at + 1 }
  }
  return fail('bad uncompressed length preamble')
}

export function snappyUncompress (input: Uint8Array, limit: number): Buffer {
  const { length, at: start } = readLength(input)
  if (length > limit) throw tooLarge('snappy', limit)
  // Each input byte yields at most 64 output bytes (a 3-byte copy of 64), which bounds the claim.
  if (length > (input.length - start) * 64 + 64) fail(`claimed length ${length} cannot come from ${input.length} bytes`)
  const out = Buffer.allocUnsafe(length)
  let at = start
  let written = 0
  while (at < input.length) {
    const tag = input[at++]
    const type = tag & 3
    if (type === 0) {
      let size = (tag >> 2) + 1
      if (size > 60) {
        const bytes = size - 60
        if (at + bytes > input.length) fail('truncated literal length')
        size = 0
        for (let i = 0; i < bytes; i++) size += input[at + i] * 2 ** (8 * i)
        size += 1
        at += bytes
      }
      if (at + size > input.length || written + size > length) fail('literal overruns the input or output')
      out.set(input.subarray(at, at + size), written)
      at += size
      written += size
      continue
    }
    let size: number
    let offset: number
    if (type === 1) {
      if (at + 1 > input.length) fail('truncated copy')
      size = 4 + ((tag >> 2) & 7)
      offset = ((tag >> 5) << 8) | input[at]
      at += 1
    } else if (type === 2) {
      if (at + 2 > input.length) fail('truncated copy')
      size = (tag >> 2) + 1
      offset = input[at] | (input[at + 1] << 8)
      at += 2
    } else {
      if (at + 4 > input.length) fail('truncated copy')
      size = (tag >> 2) + 1
      offset = (input[at] | (input[at + 1] << 8) | (input[at + 2] << 16) | (input[at + 3] << 24)) >>> 0
      at += 4
    }
    if (offset === 0 || offset > written || written + size > length) fail('copy offset or length out of range')
    for (let i = 0; i < size; i++, written++) out[written] = out[written - offset]
  }
  if (written !== length) fail(`decoded ${written} bytes where ${length} were declared`)
  return out
}
