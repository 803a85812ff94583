/**
 * Murmur2 exactly as the Java client computes it (org.apache.kafka.common.utils.Utils.murmur2),
 * so keyed records land on the same partition whichever client wrote them.
 */

const SEED = 0x9747b28c
const M = 0x5bd1e995

/** The signed 32-bit murmur2 hash of `data`, identical to the Java client's. */
export function murmur2 (data: Uint8Array): number {
  const length = data.length
  let h = (SEED ^ length) | 0
  const body = length & ~3
  for (let i = 0; i < body; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)
    k = Math.imul(k, M)
    k ^= k >>> 24
    k = Math.imul(k, M)
    h = Math.imul(h, M) ^ k
  }
  const rest = length & 3
  if (rest === 3) h ^= data[body + 2] << 16
  if (rest >= 2) h ^= data[body + 1] << 8
  if (rest >= 1) {
    h ^= data[body]
    h = Math.imul(h, M)
  }
  h ^= h >>> 13
  h = Math.imul(h, M)
  h ^= h >>> 15
  return h | 0
}

/** Java's Utils.toPositive: clears the sign bit (not Math.abs, which differs for MIN_VALUE). */
export function toPositive (n: number): number {
  return n & 0x7fffffff
}

/** The partition the Java client's default partitioner picks for a non-null key. */
export function keyPartition (key: Uint8Array, partitionCount: number): number {
  return toPositive(murmur2(key)) % partitionCount
}
