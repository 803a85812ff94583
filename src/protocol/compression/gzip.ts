import { promisify } from 'node:util'
import zlib from 'node:zlib'
import type { CompressionCodec } from './codec.ts'
import { DEFAULT_MAX_DECOMPRESSED_BYTES, decodeFailure, tooLarge } from './codec.ts'

const gzip = promisify(zlib.gzip)
const gunzip = promisify(zlib.gunzip)

/**
 * zlib's default 16 KiB output chunks cost a thread-pool round trip each; chunks sized to the
 * data (64 KiB to 1 MiB) make batch-sized work several times faster.
 */
function chunkSize (bytes: number): number {
  return Math.min(1024 * 1024, Math.max(64 * 1024, bytes))
}

export const gzipCodec: CompressionCodec = {
  name: 'gzip',
  id: 1,
  async compress (input) {
    return await gzip(input, { chunkSize: chunkSize(input.length) })
  },
  async decompress (input, maxOutputBytes = DEFAULT_MAX_DECOMPRESSED_BYTES) {
    try {
      return await gunzip(input, { maxOutputLength: maxOutputBytes, chunkSize: chunkSize(input.length * 16) })
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge('gzip', maxOutputBytes)
      throw decodeFailure('gzip', error)
    }
  },
}
