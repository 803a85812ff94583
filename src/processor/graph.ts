/**
 * A group graph, in Goka's model: what a processor group reads (input streams, its own loopback),
 * the one table it owns (`<group>-table`, compacted, co-partitioned with the inputs), the tables it
 * reads (joins: co-partitioned; lookups: any partitioning), the streams it writes, and visitors
 * (callbacks run on every key of the table by `Processor.visitAll`). Checked when defined, so a
 * wrong graph fails before anything connects.
 */
import { checkTopicName } from '../admin/topics.ts'
import type { Codec } from './codecs.ts'
import type { Context } from './context.ts'
import { GraphError } from './errors.ts'
import type { Hasher } from './hashing.ts'

/** What a callback does with one record; it may return a promise (awaited before the next record of its partition). */
export type Callback<V, T = any> = (ctx: Context<T>, value: V) => void | Promise<void>

export interface InputEdge<V = unknown> { kind: 'input', topic: string, codec: Codec<V>, callback: Callback<V> }
export interface LoopEdge<V = unknown> { kind: 'loop', codec: Codec<V>, callback: Callback<V> }
export interface PersistEdge<T = unknown> { kind: 'persist', codec: Codec<T> }
export interface JoinEdge<V = unknown> { kind: 'join', topic: string, codec: Codec<V> }
export interface LookupEdge<V = unknown> { kind: 'lookup', topic: string, codec: Codec<V> }
export interface OutputEdge<V = unknown> { kind: 'output', topic: string, codec: Codec<V> }
/** Run on every key of the group table by `Processor.visitAll(name, meta)`; the callback gets `meta` as its value. */
export interface VisitorEdge<M = unknown> { kind: 'visitor', name: string, callback: Callback<M> }

// Edges of any value type go into one graph; each callback's type was checked where its edge was made.
export type Edge = InputEdge<any> | LoopEdge<any> | PersistEdge<any> | JoinEdge<any> | LookupEdge<any> | OutputEdge<any> | VisitorEdge<any>

export function input<V> (topic: string, codec: Codec<V>, callback: Callback<V>): InputEdge<V> {
  return { kind: 'input', topic, codec, callback }
}
export function loop<V> (codec: Codec<V>, callback: Callback<V>): LoopEdge<V> {
  return { kind: 'loop', codec, callback }
}
export function persist<T> (codec: Codec<T>): PersistEdge<T> {
  return { kind: 'persist', codec }
}
export function join<V> (topic: string, codec: Codec<V>): JoinEdge<V> {
  return { kind: 'join', topic, codec }
}
export function lookup<V> (topic: string, codec: Codec<V>): LookupEdge<V> {
  return { kind: 'lookup', topic, codec }
}
export function output<V> (topic: string, codec: Codec<V>): OutputEdge<V> {
  return { kind: 'output', topic, codec }
}
export function visitor<M> (name: string, callback: Callback<M>): VisitorEdge<M> {
  return { kind: 'visitor', name, callback }
}

export interface GroupOptions {
  /** How keys map to partitions for loopback and output emits. Default `murmur2` (the Java client's). */
  hasher?: Hasher
}

export interface GroupGraph {
  readonly group: string
  readonly hasher: Hasher
  /** Input streams by topic (the loopback included, under `loopTopic`). */
  readonly inputs: ReadonlyMap<string, { codec: Codec<unknown>, callback: Callback<unknown> }>
  readonly table: { topic: string, codec: Codec<unknown> } | undefined
  readonly loop: { topic: string, codec: Codec<unknown> } | undefined
  readonly joins: ReadonlyMap<string, Codec<unknown>>
  readonly lookups: ReadonlyMap<string, Codec<unknown>>
  readonly outputs: ReadonlyMap<string, Codec<unknown>>
  /** Visitors by name. */
  readonly visitors: ReadonlyMap<string, Callback<unknown>>
  /** Topics whose partitions must match: inputs, loop, table, joins. */
  readonly copartitioned: readonly string[]
}

export function tableTopic (group: string): string { return `${group}-table` }
export function loopTopic (group: string): string { return `${group}-loop` }

const KINDS = new Set<unknown>(['input', 'loop', 'persist', 'join', 'lookup', 'output', 'visitor'])
const GROUP_ID = /^[a-zA-Z0-9._-]{1,243}$/

/** Builds and checks a graph: at least one input, at most one table and one loop, no topic used twice; options may come last. */
export function defineGroup (group: string, ...args: Edge[] | [...Edge[], GroupOptions]): GroupGraph {
  if (typeof group !== 'string' || !GROUP_ID.test(group)) {
    throw new GraphError(`defineGroup: "${String(group)}" is not a valid group name (1-243 of a-z A-Z 0-9 . _ -, so that "<group>-table" is a valid topic)`)
  }
  let options: GroupOptions = {}
  let edges = args as Edge[]
  const last = args[args.length - 1]
  if (typeof last === 'object' && last !== null && !('kind' in last)) {
    options = last
    edges = edges.slice(0, -1)
  }
  const where = (i: number): string => `defineGroup(${group}): edge ${i}`
  const inputs = new Map<string, { codec: Codec<unknown>, callback: Callback<unknown> }>()
  const joins = new Map<string, Codec<unknown>>()
  const lookups = new Map<string, Codec<unknown>>()
  const outputs = new Map<string, Codec<unknown>>()
  const visitors = new Map<string, Callback<unknown>>()
  let table: GroupGraph['table']
  let loopEdge: GroupGraph['loop']
  const used = new Map<string, string>()
  const claim = (topic: string, as: string, i: number): void => {
    checkTopicName(topic, `${where(i)} (${as})`)
    const before = used.get(topic)
    if (before !== undefined) throw new GraphError(`${where(i)}: topic ${topic} is already used as ${before}; a topic plays one role per group`)
    used.set(topic, as)
  }
  edges.forEach((edge, i) => {
    if (typeof edge !== 'object' || edge === null) throw new GraphError(`${where(i)}: expected an edge (input, loop, persist, join, lookup, output, visitor), got ${String(edge)}`)
    if (!KINDS.has(edge.kind)) throw new GraphError(`${where(i)}: unknown edge kind ${JSON.stringify((edge as { kind: unknown }).kind)}`)
    if (edge.kind === 'visitor') {
      if (typeof edge.name !== 'string' || edge.name === '') throw new GraphError(`${where(i)} (visitor): name must be a non-empty string`)
      if (typeof edge.callback !== 'function') throw new GraphError(`${where(i)} (visitor ${edge.name}): callback must be a function`)
      if (visitors.has(edge.name)) throw new GraphError(`${where(i)}: visitor ${edge.name} is defined twice`)
      visitors.set(edge.name, edge.callback as Callback<unknown>)
      return
    }
    const codec = (edge as { codec?: Codec<unknown> }).codec
    if (typeof codec?.encode !== 'function' || typeof codec.decode !== 'function') throw new GraphError(`${where(i)} (${String(edge.kind)}): codec must have encode and decode functions`)
    switch (edge.kind) {
      case 'input':
      case 'loop': {
        if (typeof edge.callback !== 'function') throw new GraphError(`${where(i)} (${edge.kind}): callback must be a function`)
        const topic = edge.kind === 'input' ? edge.topic : loopTopic(group)
        if (edge.kind === 'loop') {
          if (loopEdge !== undefined) throw new GraphError(`${where(i)}: a group has at most one loop`)
          loopEdge = { topic, codec }
        }
        claim(topic, edge.kind, i)
        inputs.set(topic, { codec, callback: edge.callback as Callback<unknown> })
        break
      }
      case 'persist':
        if (table !== undefined) throw new GraphError(`${where(i)}: a group has at most one table (persist)`)
        table = { topic: tableTopic(group), codec }
        claim(table.topic, 'table', i)
        break
      case 'join': claim(edge.topic, 'join', i); joins.set(edge.topic, codec); break
      case 'lookup': claim(edge.topic, 'lookup', i); lookups.set(edge.topic, codec); break
      case 'output': claim(edge.topic, 'output', i); outputs.set(edge.topic, codec); break
    }
  })
  if ([...inputs.keys()].every((t) => t === loopEdge?.topic)) throw new GraphError(`defineGroup(${group}): at least one input stream is needed`)
  if (visitors.size > 0 && table === undefined) throw new GraphError(`defineGroup(${group}): visitors (${[...visitors.keys()].join(', ')}) visit the keys of the group table: add persist(codec)`)
  const hasher = options.hasher ?? 'murmur2'
  if (hasher !== 'murmur2' && hasher !== 'fnv32a') throw new GraphError(`defineGroup(${group}): hasher must be 'murmur2' or 'fnv32a', got ${String(hasher)}`)
  const copartitioned = [...inputs.keys(), ...(table === undefined ? [] : [table.topic]), ...joins.keys()]
  return { group, hasher, inputs, table, loop: loopEdge, joins, lookups, outputs, visitors, copartitioned }
}
