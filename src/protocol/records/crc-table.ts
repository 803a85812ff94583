/**
 * Pure-JS CRCs, reflected, slicing by 8: two 32-bit loads per 8 bytes, each byte looked up in its
 * own 256-entry table. The fallback wherever no native CRC is loaded, and the path for short
 * inputs, where the call into native code costs more than the table walk (see crc.ts). Slicing by
 * 16 measured no faster in this shape (docs/performance.md).
 */

/**
 * The CRC of bytes[start, end). `seed` continues an earlier result: crc(b, 0, b.length, crc(a))
 * is the CRC of a followed by b, so a CRC can run over pieces that are never joined.
 */
export type Crc = (bytes: Uint8Array, start?: number, end?: number, seed?: number) => number

function makeTable (polynomial: number): Int32Array {
  const table = new Int32Array(256 * 8)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? (c >>> 1) ^ polynomial : c >>> 1
    table[n] = c
  }
  for (let n = 0; n < 256; n++) {
    for (let t = 1; t < 8; t++) {
      const previous = table[(t - 1) * 256 + n]
      table[t * 256 + n] = (previous >>> 8) ^ table[previous & 0xff]
    }
  }
  return table
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

function makeCrc (polynomial: number): Crc {
  const t = makeTable(polynomial)
  const step = (low: number, high: number): number =>
    t[1792 + (low & 0xff)] ^ t[1536 + ((low >>> 8) & 0xff)] ^ t[1280 + ((low >>> 16) & 0xff)] ^ t[1024 + (low >>> 24)] ^
    t[768 + (high & 0xff)] ^ t[512 + ((high >>> 8) & 0xff)] ^ t[256 + ((high >>> 16) & 0xff)] ^ t[high >>> 24]
  return (bytes, start = 0, end = bytes.length, seed = 0) => {
    let crc = ~seed
    let i = start
    // Byte by byte until the data is 4-byte aligned, then two 32-bit loads per 8 bytes.
    while (i < end && ((bytes.byteOffset + i) & 3) !== 0) crc = t[(crc ^ bytes[i++]) & 0xff] ^ (crc >>> 8)
    if (LITTLE_ENDIAN && end - i >= 8) {
      const words = new Int32Array(bytes.buffer, bytes.byteOffset + i, (end - i) >>> 2)
      const pairs = words.length >>> 1
      for (let w = 0; w < pairs * 2; w += 2) crc = step(crc ^ words[w], words[w + 1])
      i += pairs * 8
    }
    for (const last = end - 8; i <= last; i += 8) {
      crc = step(crc ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)),
        bytes[i + 4] | (bytes[i + 5] << 8) | (bytes[i + 6] << 16) | (bytes[i + 7] << 24))
    }
    for (; i < end; i++) crc = t[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8)
    return (crc ^ -1) >>> 0
  }
}

/** CRC32C (Castagnoli) of bytes[start, end), in JavaScript. */
export const crc32cTable = makeCrc(0x82f63b78)

/** CRC32 (IEEE 802.3) of bytes[start, end), in JavaScript. */
export const crc32Table = makeCrc(0xedb88320)
