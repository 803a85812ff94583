/**
 * LZ4 in the frame format Kafka uses (magic 0x184D2204), with independent 64 KiB blocks. Frames
 * are parsed here (flags, optional content size, dictionary id and checksums, block sizes) so that
 * every length is checked against the input and the output limit; lz4js does the block coding.
 * Block and content checksums (xxHash32), when the frame carries them, are verified: a mismatch is
 * a decode error. The header checksum is not, because Kafka's magic-v0 messages carry a wrong one.
 */
import lz4 from 'lz4js'
import xxh32 from 'lz4js/xxh32.js'
import type { CompressionCodec } from './codec.ts'
import { DEFAULT_MAX_DECOMPRESSED_BYTES, decodeFailure, tooLarge } from './codec.ts'

const MAGIC = 0x184d2204
const FLAG_BLOCK_INDEPENDENT = 0x20
const FLAG_BLOCK_CHECKSUM = 0x10
const FLAG_CONTENT_SIZE = 0x08
const FLAG_CONTENT_CHECKSUM = 0x04
const FLAG_DICTIONARY = 0x01
const VERSION = 0x40
const BLOCK_SIZE = 64 * 1024
const BLOCK_SIZE_CODE = 4
const UNCOMPRESSED_BIT = 0x80000000
/** LZ4's best case: a compressed block expands at most about 255 times. */
const MAX_RATIO = 255

const hashTable = new Uint32Array(1 << 16)

function fail (message: string): never {
  throw decodeFailure('lz4', new Error(message))
}

function compressFrame (input: Buffer): Buffer {
  const header = Buffer.from([0x04, 0x22, 0x4d, 0x18, VERSION | FLAG_BLOCK_INDEPENDENT, BLOCK_SIZE_CODE << 4, 0])
  header[6] = (xxh32.hash(0, header, 4, 2) >> 8) & 0xff
  const parts: Buffer[] = [header]
  const scratch = new Uint8Array(lz4.compressBound(BLOCK_SIZE))
  for (let at = 0; at < input.length; at += BLOCK_SIZE) {
    const length = Math.min(BLOCK_SIZE, input.length - at)
    hashTable.fill(0)
    const size = lz4.compressBlock(input, scratch, at, length, hashTable)
    const prefix = Buffer.alloc(4)
    if (size === 0 || size >= length) {
      prefix.writeUInt32LE((UNCOMPRESSED_BIT | length) >>> 0)
      parts.push(prefix, input.subarray(at, at + length))
    } else {
      prefix.writeUInt32LE(size)
      parts.push(prefix, Buffer.from(scratch.subarray(0, size)))
    }
  }
  parts.push(Buffer.alloc(4))
  return Buffer.concat(parts)
}

interface Block { start: number, size: number, compressed: boolean }

/** Checks the xxHash32 (seed 0) of bytes[start, start + length) against the frame's stored one. */
function checksum (what: 'block' | 'content', bytes: Uint8Array, start: number, length: number, stored: number): void {
  const actual = xxh32.hash(0, bytes, start, length) >>> 0
  if (actual !== stored) fail(`LZ4 ${what} checksum ${actual.toString(16)} does not match the stored ${stored.toString(16)}`)
}

function decompressFrame (input: Buffer, limit: number): Buffer {
  if (input.length < 7 || input.readUInt32LE(0) !== MAGIC) fail('not an LZ4 frame (bad magic)')
  const flags = input[4]
  if ((flags & 0xc0) !== VERSION) fail(`unsupported LZ4 frame version in flags 0x${flags.toString(16)}`)
  const blockMax = [0, 0, 0, 0, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024][(input[5] >> 4) & 7]
  if (blockMax === 0) fail(`invalid LZ4 block size code in 0x${input[5].toString(16)}`)
  let at = 6 + ((flags & FLAG_CONTENT_SIZE) !== 0 ? 8 : 0) + ((flags & FLAG_DICTIONARY) !== 0 ? 4 : 0) + 1
  const blocks: Block[] = []
  let bound = 0
  for (;;) {
    if (input.length - at < 4) fail(`truncated LZ4 block header at ${at}`)
    const word = input.readUInt32LE(at)
    at += 4
    if (word === 0) break
    const compressed = (word & UNCOMPRESSED_BIT) === 0
    const size = (word & ~UNCOMPRESSED_BIT) >>> 0
    if (size > blockMax || size > input.length - at) fail(`LZ4 block of ${size} bytes at ${at} exceeds the block or input size`)
    blocks.push({ start: at, size, compressed })
    bound += compressed ? Math.min(blockMax, size * MAX_RATIO) : size
    at += size
    if ((flags & FLAG_BLOCK_CHECKSUM) !== 0) {
      if (input.length - at < 4) fail(`truncated LZ4 block checksum at ${at}`)
      checksum('block', input, at - size, size, input.readUInt32LE(at))
      at += 4
    }
  }
  if ((flags & FLAG_CONTENT_CHECKSUM) !== 0 && input.length - at < 4) fail('truncated LZ4 content checksum')
  const out = Buffer.allocUnsafe(Math.min(bound, limit + 1))
  let written = 0
  for (const block of blocks) {
    if (block.compressed) {
      written = lz4.decompressBlock(input, out, block.start, block.size, written)
      if (!Number.isInteger(written) || written < 0) fail('corrupt LZ4 block')
    } else {
      if (written + block.size > out.length) throw tooLarge('lz4', limit)
      input.copy(out, written, block.start, block.start + block.size)
      written += block.size
    }
    if (written > limit) throw tooLarge('lz4', limit)
    if (written > out.length) fail('corrupt LZ4 block (output overrun)')
  }
  if ((flags & FLAG_CONTENT_CHECKSUM) !== 0) checksum('content', out, 0, written, input.readUInt32LE(at))
  return out.subarray(0, written)
}

export const lz4Codec: CompressionCodec = {
  name: 'lz4',
  id: 3,
  async compress (input) {
    return compressFrame(input)
  },
  async decompress (input, maxOutputBytes = DEFAULT_MAX_DECOMPRESSED_BYTES) {
    try {
      return decompressFrame(input, maxOutputBytes)
    } catch (error) {
      throw decodeFailure('lz4', error)
    }
  },
}
