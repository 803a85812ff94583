/**
 * What a callback sees: the record (key, topic, partition, offset, timestamp, headers), the
 * group table's value for the record's key, emits to declared outputs and the loopback, joined and
 * looked-up tables, `fail`, and `defer` (the record's offset is committed only once the returned
 * function is called). Values pass through the graph's codecs here, in one place for the
 * processor and the Tester alike; where bytes go is the host's business.
 */
import type { RecordHeader } from '../protocol/records/types.ts'
import type { GroupGraph } from './graph.ts'

export interface Context<T = unknown> {
  readonly group: string
  readonly topic: string
  readonly partition: number
  readonly offset: bigint
  readonly timestamp: number
  readonly headers: readonly RecordHeader[]
  /** The record's key as UTF-8 text, null for a record without a key. */
  readonly key: string | null
  /** The group table's value for this key (undefined when absent). */
  value: () => T | undefined
  /** Sets the group table's value for this key (written to `<group>-table`, acknowledged before the record's offset is committed). */
  setValue: (value: T) => void
  /** Deletes the key from the group table (a tombstone). */
  delete: () => void
  /** Writes to a declared output stream, partitioned by the group's hasher. */
  emit: (topic: string, key: string | null, value: unknown) => void
  /** Writes to the group's own loop topic, to be processed by the loop callback of the partition owning `key`. */
  loopback: (key: string, value: unknown) => void
  /** The value of this record's key in a joined (co-partitioned) table. */
  join: <V = unknown>(topic: string) => V | undefined
  /** The value of any key in a looked-up table. */
  lookup: <V = unknown>(topic: string, key: string) => V | undefined
  /** Stops the processor with this error, naming the record. */
  fail: (error: unknown) => never
  /** Holds the record's commit until the returned function is called (e.g. after an external call completes). */
  defer: () => () => void
}

export interface IncomingRecord {
  topic: string
  partition: number
  offset: bigint
  timestamp: number
  headers: RecordHeader[]
  key: Buffer | null
}

/**
 * What runs a callback provides: the partition's table, the joined and looked-up tables, and a way
 * to send. Built once per partition, not per record: the writes of a record carry its `token` (the
 * processor's record in the offset tracker), since an async or deferred callback can still write
 * while later records run.
 */
export interface ContextHost<Token = unknown> {
  graph: GroupGraph
  tableGet: (key: string) => Buffer | undefined
  /** null deletes. */
  tableSet: (token: Token, key: string, value: Buffer | null) => void
  /** To an output stream or the loop topic; the host picks the partition by the group's hasher. */
  send: (token: Token, topic: string, key: string | null, value: Buffer | null) => void
  joinGet: (topic: string, key: string) => Buffer | undefined
  lookupGet: (topic: string, key: string) => Buffer | undefined
  defer: (token: Token) => () => void
}

/** Thrown by `ctx.fail`, carrying the caller's error. */
export class FailedByCallback extends Error {
  constructor (readonly reason: unknown) {
    super(reason instanceof Error ? reason.message : String(reason), { cause: reason })
  }
}

/**
 * One record's context. A class with its operations on the prototype: a record costs one object,
 * not a closure per operation (a per-record cost the profile showed, with the garbage it makes).
 */
class RecordContext<T, Token> implements Context<T> {
  readonly group: string
  readonly topic: string
  readonly partition: number
  readonly offset: bigint
  readonly timestamp: number
  readonly headers: readonly RecordHeader[]
  readonly key: string | null
  readonly #host: ContextHost<Token>
  readonly #token: Token

  constructor (host: ContextHost<Token>, record: IncomingRecord, token: Token) {
    this.#host = host
    this.#token = token
    this.group = host.graph.group
    this.topic = record.topic
    this.partition = record.partition
    this.offset = record.offset
    this.timestamp = record.timestamp
    this.headers = record.headers
    this.key = record.key === null ? null : record.key.toString('utf8')
  }

  value (): T | undefined {
    const bytes = this.#host.tableGet(this.#tableKey('value'))
    return bytes === undefined ? undefined : this.#host.graph.table?.codec.decode(bytes) as T
  }

  setValue (value: T): void {
    const k = this.#tableKey('setValue')
    this.#host.tableSet(this.#token, k, (this.#host.graph.table as { codec: { encode: (v: T) => Buffer } }).codec.encode(value))
  }

  delete (): void { this.#host.tableSet(this.#token, this.#tableKey('delete'), null) }

  emit (topic: string, emitKey: string | null, value: unknown): void {
    const graph = this.#host.graph
    const codec = graph.outputs.get(topic)
    if (codec === undefined) throw new Error(`ctx.emit: ${topic} is not an output of group ${graph.group} (declared: ${[...graph.outputs.keys()].join(', ') || 'none'})`)
    this.#host.send(this.#token, topic, emitKey, value === null ? null : codec.encode(value))
  }

  loopback (loopKey: string, value: unknown): void {
    const graph = this.#host.graph
    if (graph.loop === undefined) throw new Error(`ctx.loopback: group ${graph.group} has no loop (add loop(codec, callback) to the graph)`)
    if (typeof loopKey !== 'string') throw new Error(`ctx.loopback: key must be a string, got ${typeof loopKey}`)
    this.#host.send(this.#token, graph.loop.topic, loopKey, graph.loop.codec.encode(value))
  }

  join<V = unknown> (topic: string): V | undefined {
    const graph = this.#host.graph
    const codec = graph.joins.get(topic)
    if (codec === undefined) throw new Error(`ctx.join: ${topic} is not joined by group ${graph.group}`)
    if (this.key === null) return undefined
    const bytes = this.#host.joinGet(topic, this.key)
    return bytes === undefined ? undefined : codec.decode(bytes) as V
  }

  lookup<V = unknown> (topic: string, lookupKey: string): V | undefined {
    const graph = this.#host.graph
    const codec = graph.lookups.get(topic)
    if (codec === undefined) throw new Error(`ctx.lookup: ${topic} is not looked up by group ${graph.group}`)
    const bytes = this.#host.lookupGet(topic, lookupKey)
    return bytes === undefined ? undefined : codec.decode(bytes) as V
  }

  fail (error: unknown): never { throw new FailedByCallback(error) }

  defer (): () => void { return this.#host.defer(this.#token) }

  #tableKey (op: string): string {
    const graph = this.#host.graph
    if (graph.table === undefined) throw new Error(`ctx.${op}: group ${graph.group} has no table (add persist(codec) to the graph)`)
    if (this.key === null) throw new Error(`ctx.${op}: the record at ${this.topic}-${this.partition} offset ${this.offset} has no key, and table values are kept by key`)
    return this.key
  }
}

export function createContext<T, Token> (host: ContextHost<Token>, record: IncomingRecord, token: Token): Context<T> {
  return new RecordContext<T, Token>(host, record, token)
}
