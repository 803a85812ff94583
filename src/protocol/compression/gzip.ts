import { promisify } from 'node:util'
import zlib from 'node:zlib'
import type { CompressionCodec } from './codec.ts'
import { DEFAULT_MAX_DECOMPRESSED_BYTES, decodeFailure, tooLarge } from './codec.ts'

const gzip = promisify(zlib.gzip)
const gunzip = promisify(zlib.gunzip)

export const gzipCodec: CompressionCodec = {
  name: 'gzip',
  id: 1,
  async compress (input) {
    return await gzip(input)
  },
  async decompress (input, maxOutputBytes = DEFAULT_MAX_DECOMPRESSED_BYTES) {
    try {
      return await gunzip(input, { maxOutputLength: maxOutputBytes })
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge('gzip', maxOutputBytes)
      throw decodeFailure('gzip', error)
    }
  },
}
