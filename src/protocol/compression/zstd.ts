/**
 * Zstandard. Node's zlib has zstd from Node 22.15/23.8; where it exists it is used, otherwise the
 * WebAssembly build shipped inside @bokuweb/zstd-wasm (no download at install or run time). That
 * build decompresses into a buffer sized up front, so the frame header is read here first: a
 * declared size above the limit is rejected before allocating, and frames without a declared size
 * (as Java's streaming writer makes) are retried with a doubling buffer up to the limit.
 */
import { createRequire } from 'node:module'
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import type { CompressionCodec } from './codec.ts'
import { DEFAULT_MAX_DECOMPRESSED_BYTES, decodeFailure, tooLarge } from './codec.ts'

interface ZstdWasm {
  init (): Promise<void>
  compress (input: Uint8Array, level?: number): Uint8Array
  decompress (input: Uint8Array, options?: { defaultHeapSize: number }): Uint8Array
}

type ZlibCall = (input: Buffer, options: object) => Promise<Buffer>

const native = zlib as unknown as { zstdCompress?: unknown, zstdDecompress?: unknown }
const nativeCompress = typeof native.zstdCompress === 'function' ? promisify(native.zstdCompress) as ZlibCall : undefined
const nativeDecompress = typeof native.zstdDecompress === 'function' ? promisify(native.zstdDecompress) as ZlibCall : undefined

const MAGIC = 0xfd2fb528
const LEVEL = 3
const FIRST_GUESS = 256 * 1024
/** How the WebAssembly build reports ZSTD_error_dstSize_tooSmall. */
const DESTINATION_TOO_SMALL = /code -70\b/

let wasm: Promise<ZstdWasm> | undefined

async function loadWasm (): Promise<ZstdWasm> {
  wasm ??= (async () => {
    const module = createRequire(import.meta.url)('@bokuweb/zstd-wasm') as ZstdWasm
    await module.init()
    return module
  })()
  return await wasm
}

/** The content size a zstd frame header declares, or undefined when it declares none. */
export function declaredContentSize (input: Buffer): number | undefined {
  if (input.length < 6 || input.readUInt32LE(0) !== MAGIC) throw decodeFailure('zstd', new Error('not a zstd frame (bad magic)'))
  const descriptor = input[4]
  const sizeFlag = descriptor >> 6
  const singleSegment = (descriptor & 0x20) !== 0
  const dictionaryBytes = [0, 1, 2, 4][descriptor & 3]
  const at = 5 + (singleSegment ? 0 : 1) + dictionaryBytes
  const sizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][sizeFlag]
  if (sizeBytes === 0) return undefined
  if (input.length < at + sizeBytes) throw decodeFailure('zstd', new Error('truncated zstd frame header'))
  switch (sizeBytes) {
    case 1: return input[at]
    case 2: return input.readUInt16LE(at) + 256
    case 4: return input.readUInt32LE(at)
    default: return Number(input.readBigUInt64LE(at))
  }
}

function wasmDecompress (zstd: ZstdWasm, input: Buffer, limit: number): Buffer {
  const declared = declaredContentSize(input)
  if (declared !== undefined && declared > limit) throw tooLarge('zstd', limit)
  let size = declared ?? Math.min(limit, Math.max(FIRST_GUESS, input.length * 8))
  for (;;) {
    try {
      const out = zstd.decompress(input, { defaultHeapSize: Math.max(size, 1) })
      if (out.length > limit) throw tooLarge('zstd', limit)
      return Buffer.from(out.buffer, out.byteOffset, out.byteLength)
    } catch (error) {
      if (size >= limit || !DESTINATION_TOO_SMALL.test(String(error))) throw decodeFailure('zstd', error)
      size = Math.min(limit, size * 2)
    }
  }
}

export const zstdCodec: CompressionCodec = {
  name: 'zstd',
  id: 4,
  async compress (input) {
    if (nativeCompress !== undefined) return await nativeCompress(input, {})
    const out = (await loadWasm()).compress(input, LEVEL)
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength)
  },
  async decompress (input, maxOutputBytes = DEFAULT_MAX_DECOMPRESSED_BYTES) {
    if (nativeDecompress !== undefined) {
      try {
        return await nativeDecompress(input, { maxOutputLength: maxOutputBytes })
      } catch (error) {
        if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge('zstd', maxOutputBytes)
        throw decodeFailure('zstd', error)
      }
    }
    return wasmDecompress(await loadWasm(), input, maxOutputBytes)
  },
}
