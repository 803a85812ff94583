/**
 * Where a key goes. `murmur2` is the Java client's default partitioner (the producer's
 * implementation, one home for it); `fnv32a` is Goka's default (Sarama's hash partitioner over
 * FNV-1a 32), for groups that share topics with Go services.
 */
import { keyPartition } from '../producer/murmur2.ts'

export type Hasher = 'murmur2' | 'fnv32a'

/** FNV-1a, 32 bits, as Go's hash/fnv New32a. */
export function fnv32a (data: Uint8Array): number {
  let hash = 0x811c9dc5
  for (const byte of data) {
    hash ^= byte
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/** Sarama's hashPartitioner: the hash as int32, remainder truncated toward zero, then made positive. */
function fnvPartition (key: Uint8Array, partitionCount: number): number {
  return Math.abs((fnv32a(key) | 0) % partitionCount)
}

export function partitionFor (hasher: Hasher, key: Uint8Array, partitionCount: number): number {
  return hasher === 'fnv32a' ? fnvPartition(key, partitionCount) : keyPartition(key, partitionCount)
}
