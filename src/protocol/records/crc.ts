/**
 * The CRCs the record formats use: CRC32C (Castagnoli) for record batches v2 and CRC32 (IEEE) for
 * legacy messages v0/v1. Long inputs go to native code when it is there: CRC32C to the optional
 * package @node-rs/crc32 (SSE4.2 / ARMv8 CRC instructions), CRC32 to node:zlib's crc32. Short
 * inputs, and every input where neither is available, use the pure-JS tables of crc-table.ts, which
 * are faster below NATIVE_MIN_BYTES than the cost of the call into native code (bench/protocol).
 */
import { createRequire } from 'node:module'
import * as zlib from 'node:zlib'
import { crc32cTable, crc32Table, type Crc } from './crc-table.ts'

/** The packages' signature: the CRC of `input`, continuing `initialState` (an earlier result; 0 to start). */
type NativeCrc = (input: Uint8Array, initialState?: number) => number

/** Inputs shorter than this use the JS tables: the native call wins from ~130 B here, clearly from 256 B. */
const NATIVE_MIN_BYTES = 256

/**
 * The optional native CRC32C, or undefined where the package (or a binary for this platform) is
 * not installed: it is an optional dependency, and the JS table is the complete fallback.
 */
function loadNativeCrc32c (): NativeCrc | undefined {
  try {
    const module = createRequire(import.meta.url)('@node-rs/crc32') as { crc32c?: unknown }
    return typeof module.crc32c === 'function' ? module.crc32c as NativeCrc : undefined
  } catch {
    return undefined
  }
}

/** node:zlib has crc32 from Node 20.15 / 22.2 on; other runtimes may lack it. */
const zlibCrc32 = typeof (zlib as { crc32?: unknown }).crc32 === 'function' ? zlib.crc32 as NativeCrc : undefined

function withNative (table: Crc, native: NativeCrc | undefined): Crc {
  if (native === undefined) return table
  return (bytes, start = 0, end = bytes.length, seed = 0) => end - start < NATIVE_MIN_BYTES
    ? table(bytes, start, end, seed)
    : native(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end), seed)
}

/** The native CRC32C in use, undefined when the JS table does all the work. */
export const nativeCrc32c = loadNativeCrc32c()

/** The native IEEE CRC32 in use (node:zlib), undefined when the JS table does all the work. */
export const nativeCrc32 = zlibCrc32

/** CRC32C (Castagnoli) of bytes[start, end). */
export const crc32c: Crc = withNative(crc32cTable, nativeCrc32c)

/** CRC32 (IEEE 802.3) of bytes[start, end). */
export const crc32: Crc = withNative(crc32Table, nativeCrc32)

/** CRC32C of the concatenation of `pieces`, from byte `start` of it on, without joining them. */
export function crc32cOfPieces (pieces: readonly Uint8Array[], start = 0): number {
  let crc = 0
  let skip = start
  for (const piece of pieces) {
    if (skip >= piece.length) {
      skip -= piece.length
      continue
    }
    crc = crc32c(piece, skip, piece.length, crc)
    skip = 0
  }
  return crc
}
