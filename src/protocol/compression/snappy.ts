/**
 * Snappy, raw or in the xerial framing the Java client writes (an 8-byte magic, two int32 version
 * fields, then [int32 length][raw snappy block] chunks). Reading detects the framing by its magic;
 * writing uses the framing, which every Kafka client reads. snappyjs compresses; decoding is ours
 * (snappy-raw.ts).
 */
import snappy from 'snappyjs'
import type { CompressionCodec } from './codec.ts'
import { DEFAULT_MAX_DECOMPRESSED_BYTES, decodeFailure } from './codec.ts'
import { snappyUncompress } from './snappy-raw.ts'

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
const XERIAL_HEADER_SIZE = 16
const BLOCK_SIZE = 32 * 1024

function xerialDecompress (input: Buffer, limit: number): Buffer {
  const chunks: Buffer[] = []
  let total = 0
  let at = XERIAL_HEADER_SIZE
  while (at < input.length) {
    if (input.length - at < 4) throw decodeFailure('snappy', new Error(`truncated xerial chunk header at ${at}`))
    const length = input.readInt32BE(at)
    at += 4
    if (length < 0 || length > input.length - at) throw decodeFailure('snappy', new Error(`xerial chunk of ${length} bytes at ${at} exceeds the input`))
    const chunk = snappyUncompress(input.subarray(at, at + length), limit - total)
    total += chunk.length
    chunks.push(chunk)
    at += length
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total)
}

export const snappyCodec: CompressionCodec = {
  name: 'snappy',
  id: 2,
  async compress (input) {
    const parts: Buffer[] = [XERIAL_MAGIC, Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])]
    for (let at = 0; at < input.length; at += BLOCK_SIZE) {
      const block = snappy.compress(input.subarray(at, at + BLOCK_SIZE))
      const length = Buffer.alloc(4)
      length.writeInt32BE(block.length)
      parts.push(length, Buffer.from(block.buffer, block.byteOffset, block.byteLength))
    }
    return Buffer.concat(parts)
  },
  async decompress (input, maxOutputBytes = DEFAULT_MAX_DECOMPRESSED_BYTES) {
    const framed = input.length >= XERIAL_HEADER_SIZE && input.subarray(0, 8).equals(XERIAL_MAGIC)
    return framed ? xerialDecompress(input, maxOutputBytes) : snappyUncompress(input, maxOutputBytes)
  },
}
