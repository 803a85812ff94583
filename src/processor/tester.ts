/**
 * Runs a group graph without Kafka, for unit tests of callbacks: `consume` feeds one input record
 * (encoded with the input's codec, as a producer would write it) and returns once it and every
 * loopback it caused were processed, in the order Kafka would deliver them per partition. Table,
 * joins and lookups are plain maps the test can set and read; outputs are recorded per topic.
 * Values pass through the graph's codecs both ways, so a codec that cannot encode or decode
 * fails here as it would in the processor. With synchronous callbacks, all processing is done
 * before `consume` returns its (already settled) promise.
 */
import { partitionFor } from './hashing.ts'
import type { ContextHost, IncomingRecord } from './context.ts'
import type { GroupGraph } from './graph.ts'
import { processRecord, processVisit } from './process-record.ts'
import type { RecordHeader } from '../protocol/records/types.ts'

export interface TesterOptions {
  /** Partitions of every co-partitioned topic (decides `ctx.partition`). Default 1. */
  partitions?: number
}

/** A record waiting to be processed: the input given to `consume`, then the loopbacks. */
interface Queued { topic: string, key: string | null, value: Buffer | null }

export interface EmittedRecord<V = unknown> {
  key: string | null
  value: V | null
  partition: number
}

export class Tester {
  readonly #graph: GroupGraph
  readonly #partitions: number
  readonly #table = new Map<string, Buffer>()
  readonly #joins = new Map<string, Map<string, Buffer>>()
  readonly #lookups = new Map<string, Map<string, Buffer>>()
  readonly #outputs = new Map<string, Array<{ key: string | null, value: Buffer | null, partition: number }>>()
  readonly #nextOffset = new Map<string, bigint>()
  #deferred = 0

  constructor (graph: GroupGraph, options: TesterOptions = {}) {
    const partitions = options.partitions ?? 1
    if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`Tester: partitions must be an integer >= 1, got ${String(partitions)}`)
    this.#graph = graph
    this.#partitions = partitions
  }

  /** Processes one record of an input topic, then the loopbacks it caused (and theirs), first in first out. */
  async consume (topic: string, key: string | null, value: unknown, extra: { headers?: RecordHeader[], timestamp?: number } = {}): Promise<void> {
    const edge = this.#graph.inputs.get(topic)
    if (edge === undefined || topic === this.#graph.loop?.topic) throw new RangeError(`Tester.consume: ${topic} is not an input of group ${this.#graph.group} (inputs: ${this.#inputTopics().join(', ')})`)
    await this.#drain([{ topic, key, value: value === null ? null : edge.codec.encode(value as never) }], extra)
  }

  /** Runs visitor `name` on every key of the table with `meta` (then the loopbacks it caused); returns the keys visited. */
  async visit (name: string, meta?: unknown): Promise<number> {
    const callback = this.#graph.visitors.get(name)
    const table = this.#graph.table
    if (callback === undefined || table === undefined) throw new RangeError(`Tester.visit: group ${this.#graph.group} has no visitor ${name}`)
    const queue: Queued[] = []
    const keys = [...this.#table.keys()]
    for (const key of keys) {
      const keyBytes = Buffer.from(key, 'utf8')
      const record: IncomingRecord = { topic: table.topic, partition: partitionFor(this.#graph.hasher, keyBytes, this.#partitions), offset: -1n, timestamp: Date.now(), headers: [], key: keyBytes }
      const result = processVisit(this.#host(queue), record, name, callback, meta, undefined)
      if (result instanceof Promise) await result
    }
    await this.#drain(queue, {})
    return keys.length
  }

  async #drain (queue: Queued[], extra: { headers?: RecordHeader[], timestamp?: number }): Promise<void> {
    while (queue.length > 0) {
      const next = queue.shift() as Queued
      const keyBytes = next.key === null ? null : Buffer.from(next.key, 'utf8')
      const record: IncomingRecord = {
        topic: next.topic,
        partition: keyBytes === null ? 0 : partitionFor(this.#graph.hasher, keyBytes, this.#partitions),
        offset: this.#take(next.topic),
        timestamp: extra.timestamp ?? Date.now(),
        headers: extra.headers ?? [],
        key: keyBytes,
      }
      const result = processRecord(this.#host(queue), record, next.value, undefined)
      if (result instanceof Promise) await result
    }
  }

  /** The group table's value for `key`, decoded. */
  tableValue<T = unknown> (key: string): T | undefined {
    const bytes = this.#table.get(key)
    return bytes === undefined ? undefined : this.#graph.table?.codec.decode(bytes) as T
  }

  /** Sets a group-table value before a test (encoded with the table's codec). */
  setTableValue (key: string, value: unknown): void {
    if (this.#graph.table === undefined) throw new RangeError(`Tester.setTableValue: group ${this.#graph.group} has no table`)
    this.#table.set(key, this.#graph.table.codec.encode(value))
  }

  /** The keys in the group table. */
  tableKeys (): string[] { return [...this.#table.keys()] }

  setJoinValue (topic: string, key: string, value: unknown): void {
    const codec = this.#graph.joins.get(topic)
    if (codec === undefined) throw new RangeError(`Tester.setJoinValue: ${topic} is not joined by group ${this.#graph.group}`)
    this.#mapOf(this.#joins, topic).set(key, codec.encode(value))
  }

  setLookupValue (topic: string, key: string, value: unknown): void {
    const codec = this.#graph.lookups.get(topic)
    if (codec === undefined) throw new RangeError(`Tester.setLookupValue: ${topic} is not looked up by group ${this.#graph.group}`)
    this.#mapOf(this.#lookups, topic).set(key, codec.encode(value))
  }

  /** What was emitted to an output, decoded, in emit order. */
  output<V = unknown> (topic: string): Array<EmittedRecord<V>> {
    const codec = this.#graph.outputs.get(topic)
    if (codec === undefined) throw new RangeError(`Tester.output: ${topic} is not an output of group ${this.#graph.group}`)
    return (this.#outputs.get(topic) ?? []).map((r) => ({ key: r.key, partition: r.partition, value: r.value === null ? null : codec.decode(r.value) as V }))
  }

  clearOutputs (): void { this.#outputs.clear() }

  /** `ctx.defer()` calls whose commit function has not been called yet. */
  get deferred (): number { return this.#deferred }

  #host (queue: Queued[]): ContextHost<undefined> {
    return {
      graph: this.#graph,
      tableGet: (key) => this.#table.get(key),
      tableSet: (_token, key, value) => {
        if (value === null) this.#table.delete(key)
        else this.#table.set(key, value)
      },
      send: (_token, topic, key, value) => {
        if (topic === this.#graph.loop?.topic) {
          queue.push({ topic, key, value })
          return
        }
        const partitions = this.#partitions
        const partition = key === null ? 0 : partitionFor(this.#graph.hasher, Buffer.from(key, 'utf8'), partitions)
        const list = this.#outputs.get(topic) ?? []
        list.push({ key, value, partition })
        this.#outputs.set(topic, list)
      },
      joinGet: (topic, key) => this.#joins.get(topic)?.get(key),
      lookupGet: (topic, key) => this.#lookups.get(topic)?.get(key),
      defer: () => {
        this.#deferred++
        let done = false
        return () => {
          if (!done) this.#deferred--
          done = true
        }
      },
    }
  }

  #take (topic: string): bigint {
    const offset = this.#nextOffset.get(topic) ?? 0n
    this.#nextOffset.set(topic, offset + 1n)
    return offset
  }

  #inputTopics (): string[] {
    return [...this.#graph.inputs.keys()].filter((t) => t !== this.#graph.loop?.topic)
  }

  #mapOf (maps: Map<string, Map<string, Buffer>>, topic: string): Map<string, Buffer> {
    const map = maps.get(topic) ?? new Map<string, Buffer>()
    maps.set(topic, map)
    return map
  }
}
