/**
 * The `consumer` protocol type's member metadata and assignment bytes (Kafka's
 * ConsumerProtocolSubscription and ConsumerProtocolAssignment, classic encoding), so steadfast,
 * Java and librdkafka members can share a group. We write version 0 (every client reads it),
 * or version 1 when the member names the partitions it owns (cooperative rebalancing, KIP-429);
 * we read any version, taking the fields we know and ignoring what later versions append
 * (generation, rack), as Kafka's own readers do with newer versions.
 */
import { Reader } from '../../protocol/primitives/reader.ts'
import { Writer } from '../../protocol/primitives/writer.ts'
import { ProtocolDecodeError } from '../../resilience/errors.ts'

export interface Subscription {
  topics: string[]
  userData: Buffer | null
  /** The partitions the member holds now, by topic (version 1+; absent in version 0). */
  ownedPartitions?: Map<string, number[]>
}

export interface Assignment {
  /** Partitions by topic. */
  partitions: Map<string, number[]>
  userData: Buffer | null
}

export function encodeSubscription (subscription: Subscription): Buffer {
  const w = new Writer()
  const owned = subscription.ownedPartitions
  w.int16(owned === undefined ? 0 : 1)
  w.arrayLength(subscription.topics.length, false)
  for (const topic of subscription.topics) w.nullableString(topic, false)
  w.nullableBytes(subscription.userData, false)
  if (owned !== undefined) writePartitions(w, owned)
  return w.toBuffer()
}

function writePartitions (w: Writer, partitions: ReadonlyMap<string, number[]>): void {
  w.arrayLength(partitions.size, false)
  for (const [topic, list] of partitions) {
    w.nullableString(topic, false)
    w.arrayLength(list.length, false)
    for (const p of list) w.int32(p)
  }
}

function readPartitions (r: Reader): Map<string, number[]> {
  const count = r.arrayCount(false, 6)
  const partitions = new Map<string, number[]>()
  for (let i = 0; i < count; i++) {
    const topic = requireString(r.nullableString(false))
    const n = r.arrayCount(false, 4)
    const list: number[] = []
    for (let j = 0; j < n; j++) list.push(r.int32())
    partitions.set(topic, [...(partitions.get(topic) ?? []), ...list])
  }
  return partitions
}

export function decodeSubscription (bytes: Buffer): Subscription {
  return decoding('subscription', () => {
    const r = new Reader(bytes)
    const version = r.int16()
    checkVersion(version)
    const count = r.arrayCount(false, 2)
    const topics: string[] = []
    for (let i = 0; i < count; i++) topics.push(requireString(r.nullableString(false)))
    const userData = r.remaining > 0 ? r.nullableBytes(false) : null
    if (version < 1 || r.remaining === 0) return { topics, userData }
    return { topics, userData, ownedPartitions: readPartitions(r) }
  })
}

export function encodeAssignment (assignment: Assignment): Buffer {
  const w = new Writer()
  w.int16(0)
  writePartitions(w, assignment.partitions)
  w.nullableBytes(assignment.userData, false)
  return w.toBuffer()
}

/** An empty buffer is a member that got nothing (the coordinator sends one when the leader left it out). */
export function decodeAssignment (bytes: Buffer): Assignment {
  if (bytes.length === 0) return { partitions: new Map(), userData: null }
  return decoding('assignment', () => {
    const r = new Reader(bytes)
    checkVersion(r.int16())
    const partitions = readPartitions(r)
    return { partitions, userData: r.remaining > 0 ? r.nullableBytes(false) : null }
  })
}

function checkVersion (version: number): void {
  if (version < 0) throw new ProtocolDecodeError(`negative consumer protocol version ${version}`, { reason: 'bad-version' })
}

function requireString (value: string | null): string {
  if (value === null) throw new ProtocolDecodeError('null topic name in consumer protocol data', { reason: 'bad-length' })
  return value
}

function decoding<T> (what: string, decode: () => T): T {
  try {
    return decode()
  } catch (error) {
    if (error instanceof ProtocolDecodeError) throw new ProtocolDecodeError(`consumer protocol ${what} could not be read: ${error.message}`, { cause: error })
    throw error
  }
}
