/**
 * Shared by the consumer tests: consumers closed when the test ends, reading until an expected
 * number of records arrived, and comparing what was read with what kcat (an independent client)
 * reads from the same partitions.
 */
import type { TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { Consumer } from '../../src/consumer/consumer.ts'
import type { ConsumerMessage } from '../../src/consumer/message.ts'
import type { ConsumerOptions } from '../../src/consumer/options.ts'
import type { BootstrapSource } from '../../src/cluster/bootstrap-source.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { MockCluster } from '../../src/testkit/mock-cluster/mock-cluster.ts'
import { kcatRead, type KcatRecord } from '../producer/helpers.ts'

/** Test logs are off unless STEADFAST_TEST_LOG names a level (debugging a failing run). */
export const testLogger = createLogger({ level: process.env.STEADFAST_TEST_LOG ?? 'silent' })

export interface Read {
  partition: number
  offset: number
  key: string
  value: string
}

export function toRead (m: ConsumerMessage): Read {
  return { partition: m.partition, offset: Number(m.offset), key: m.key?.toString() ?? '', value: m.value?.toString() ?? '' }
}

/** A consumer closed when the test ends (short fetch waits: the mock holds an empty Fetch for all of it). */
export function consumer (t: TestContext, bootstrap: BootstrapSource, options: Partial<ConsumerOptions> = {}): Consumer {
  const c = new Consumer({ bootstrap, logger: testLogger, fetchMaxWaitMs: 100, retryBackoffMs: 50, retryBackoffMaxMs: 500, ...options })
  t.after(async () => { await c.close() })
  return c
}

/** Reads from the iterator until `count` records came (the caller bounds the wait with its test timeout). */
export async function readCount (c: Consumer, count: number, onEach?: (m: ConsumerMessage) => Promise<void> | void): Promise<Read[]> {
  const got: Read[] = []
  if (count === 0) return got
  for await (const m of c) {
    got.push(toRead(m))
    await onEach?.(m)
    if (got.length >= count) break
  }
  return got
}

/** What kcat reads from each partition, in the shape of `Read`. */
export async function kcatPartitions (bootstrap: string, topic: string, partitions: number[]): Promise<Map<number, Read[]>> {
  const result = new Map<number, Read[]>()
  for (const partition of partitions) {
    const records = await kcatRead(bootstrap, topic, partition)
    result.set(partition, records.map((r: KcatRecord) => ({ partition, offset: r.offset, key: r.key, value: r.value })))
  }
  return result
}

export function byPartition (reads: Read[]): Map<number, Read[]> {
  const result = new Map<number, Read[]>()
  for (const r of reads) {
    const list = result.get(r.partition)
    if (list === undefined) result.set(r.partition, [r])
    else list.push(r)
  }
  return result
}

/** Every partition read exactly as kcat reads it: same records, same order, nothing twice. */
export function assertSameAsKcat (reads: Read[], expected: Map<number, Read[]>): void {
  const got = byPartition(reads)
  for (const [partition, records] of expected) assert.deepEqual(got.get(partition) ?? [], records, `partition ${partition}`)
  assert.deepEqual([...got.keys()].filter((p) => !expected.has(p)), [], 'no records from other partitions')
}

export function keyed (prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-k${i % 97}:${prefix}-v${i}`)
}

/**
 * Reads that consumers push as they go; tests wait on conditions over them, checked at every push.
 * A push costs the same however many reads came before (the distinct count is kept as they come):
 * a check that walked every read made long streams quadratic, and on a slow machine that starved
 * the consumers' own heartbeats.
 */
export class Collector {
  readonly reads: Array<Read & { by: string }> = []
  readonly #distinct = new Set<string>()
  #waiters: Array<{ check: () => boolean, resolve: () => void, reject: (error: unknown) => void }> = []
  #failure: unknown

  /** Reads `c` in the background as `by`, until it closes. */
  drain (c: Consumer, by: string): void {
    (async () => {
      for await (const m of c) this.push({ ...toRead(m), by })
    })().catch((error: unknown) => {
      this.#failure = error
      for (const w of this.#waiters) w.reject(error)
      this.#waiters = []
    })
  }

  push (read: Read & { by: string }): void {
    this.reads.push(read)
    this.#distinct.add(`${read.partition}:${read.offset}`)
    this.changed()
  }

  /** Something else a condition may depend on changed (an assignment, …). */
  changed (): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.check()) return true
      w.resolve()
      return false
    })
  }

  /**
   * Resolves once `check` holds; rejects after `timeoutMs` with what was read and `describe()`'s
   * account of the state, so a wait that never ends says where it stopped (within the test's timeout).
   */
  async until (check: () => boolean, describe: () => string = () => '', timeoutMs = 120_000): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure
    if (check()) return
    let timer: NodeJS.Timeout | undefined
    try {
      await new Promise<void>((resolve, reject) => {
        const waiter = { check, resolve, reject }
        this.#waiters.push(waiter)
        timer = setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter)
          reject(new Error(`condition not met within ${timeoutMs} ms: ${this.distinct} distinct records read (${this.reads.length} reads); ${describe()}`))
        }, timeoutMs)
      })
    } finally {
      clearTimeout(timer)
    }
  }

  /** Distinct records read (partition and offset), over every consumer. */
  get distinct (): number {
    return this.#distinct.size
  }

  get duplicates (): number {
    return this.reads.length - this.distinct
  }

  /** Each partition's records in offset order, each once. */
  merged (): Read[] {
    const seen = new Map<string, Read>()
    for (const { by: _by, ...r } of this.reads) seen.set(`${r.partition}:${r.offset}`, r)
    return [...seen.values()].sort((a, b) => a.partition - b.partition || a.offset - b.offset)
  }
}

/**
 * A mock cluster for group tests: the group APIs capped where librdkafka's mock reads them
 * (MockCluster.capGroupApis), and groups formed without the initial rebalance delay.
 */
export async function startGroupMock (brokers = 3): Promise<MockCluster> {
  const mock = await MockCluster.start({ brokers })
  await mock.capGroupApis()
  await mock.setGroupInitialRebalanceDelay(0)
  return mock
}

/** A Collector that also notes when each partition's records arrived, to measure gaps. */
export class TimedCollector extends Collector {
  readonly arrivals = new Map<number, number[]>()
  override push (read: Read & { by: string }): void {
    const times = this.arrivals.get(read.partition)
    if (times === undefined) this.arrivals.set(read.partition, [performance.now()])
    else times.push(performance.now())
    super.push(read)
  }
}

/**
 * The longest wait between two records of a partition within [from, to], over the partitions no
 * member revoked in that window (the ones a rebalance should not touch). Reported, not asserted.
 */
export function longestUnaffectedGap (collector: TimedCollector, revocations: Array<{ partition: number, at: number }>, from: number, to: number): { ms: number, partitions: number[] } {
  const touched = new Set(revocations.filter((r) => r.at >= from && r.at <= to).map((r) => r.partition))
  const partitions = [...collector.arrivals.keys()].filter((p) => !touched.has(p)).sort()
  let ms = 0
  for (const p of partitions) {
    const times = (collector.arrivals.get(p) ?? []).filter((at) => at >= from && at <= to)
    for (let i = 1; i < times.length; i++) ms = Math.max(ms, (times[i] as number) - (times[i - 1] as number))
  }
  return { ms: Math.round(ms), partitions }
}
