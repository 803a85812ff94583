/**
 * Table-driven CRCs (reflected, slicing by 4): CRC32C (Castagnoli) for record batches v2 and
 * CRC32 (IEEE) for legacy messages v0/v1.
 */

function makeTables (polynomial: number): Uint32Array[] {
  const tables = [0, 1, 2, 3].map(() => new Uint32Array(256))
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? (c >>> 1) ^ polynomial : c >>> 1
    tables[0][n] = c >>> 0
  }
  for (let n = 0; n < 256; n++) {
    for (let t = 1; t < 4; t++) tables[t][n] = (tables[t - 1][n] >>> 8) ^ tables[0][tables[t - 1][n] & 0xff]
  }
  return tables
}

function makeCrc (polynomial: number): (bytes: Uint8Array, start?: number, end?: number) => number {
  const [t0, t1, t2, t3] = makeTables(polynomial)
  return (bytes, start = 0, end = bytes.length) => {
    let crc = 0xffffffff
    let i = start
    for (; i + 4 <= end; i += 4) {
      crc ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)
      crc = t3[crc & 0xff] ^ t2[(crc >>> 8) & 0xff] ^ t1[(crc >>> 16) & 0xff] ^ t0[crc >>> 24]
    }
    for (; i < end; i++) crc = t0[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8)
    return (crc ^ 0xffffffff) >>> 0
  }
}

/** CRC32C (Castagnoli) of bytes[start, end). */
export const crc32c = makeCrc(0x82f63b78)

/** CRC32 (IEEE 802.3) of bytes[start, end). */
export const crc32 = makeCrc(0xedb88320)
