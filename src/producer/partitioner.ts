/**
 * Partitioners: which partition a record goes to when the caller does not say. The default
 * matches the Java client: murmur2 of the key for keyed records, and for null keys a sticky
 * choice (KIP-480) that fills one partition's batch before moving on, so small records still
 * form large batches. Any object with `partition()` (or a plain function) can replace it.
 */
import { keyPartition } from './murmur2.ts'

export interface PartitionerInput {
  topic: string
  key: Buffer | null
  value: Buffer | null
  partitionCount: number
  /** Partitions that have a leader right now, ascending; empty when none has. */
  availablePartitions: readonly number[]
}

export interface Partitioner {
  /** An integer in [0, partitionCount). */
  partition (input: PartitionerInput): number
  /** Called when the open batch of (topic, partition) is sealed: sticky partitioners move on. */
  onBatchSealed? (topic: string, partition: number): void
}

export type PartitionFunction = (input: PartitionerInput) => number

function pickRandom (input: PartitionerInput): number {
  const pool = input.availablePartitions.length > 0 ? input.availablePartitions : undefined
  if (pool === undefined) return Math.floor(Math.random() * input.partitionCount)
  return pool[Math.floor(Math.random() * pool.length)] ?? 0
}

/** Java-compatible: murmur2(key) for keyed records, sticky for null keys. */
export function defaultPartitioner (): Partitioner {
  const sticky = new Map<string, number>()
  return {
    partition (input) {
      if (input.key !== null) return keyPartition(input.key, input.partitionCount)
      const current = sticky.get(input.topic)
      if (current !== undefined && current < input.partitionCount) return current
      const next = pickRandom(input)
      sticky.set(input.topic, next)
      return next
    },
    onBatchSealed (topic, partition) {
      if (sticky.get(topic) === partition) sticky.delete(topic)
    },
  }
}

/** Every record to the next partition in turn (keys ignored), skipping partitions without a leader. */
export function roundRobinPartitioner (): Partitioner {
  const counters = new Map<string, number>()
  return {
    partition (input) {
      const n = counters.get(input.topic) ?? 0
      counters.set(input.topic, n + 1)
      const pool = input.availablePartitions
      return pool.length > 0 ? (pool[n % pool.length] ?? 0) : n % input.partitionCount
    },
  }
}

/** Keys by murmur2 like the default; null keys spread round-robin instead of sticky. */
export function keyedRoundRobinPartitioner (): Partitioner {
  const roundRobin = roundRobinPartitioner()
  return {
    partition (input) {
      return input.key === null ? roundRobin.partition(input) : keyPartition(input.key, input.partitionCount)
    },
  }
}

export function toPartitioner (p: Partitioner | PartitionFunction): Partitioner {
  return typeof p === 'function' ? { partition: p } : p
}
