/**
 * The processor against librdkafka's mock cluster: input written by kcat, table and outputs read
 * back by kcat and compared with the counts plain JS computes from the input; restart with the
 * SQLite store recovering only the tail; setup refusals; a failing callback stopping the
 * processor with the record named and the records before it committed; visits of every table key;
 * no input offset committed while the batched writes it caused wait for their acknowledgement.
 */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join as joinPath } from 'node:path'
import { Admin } from '../../src/admin/admin.ts'
import { defineGroup, input, persist, output, visitor, stringCodec, jsonCodec, Processor, sqliteStore, View, Emitter, GraphError, ProcessingError, VisitAbortedError, type Context, type ProcessorOptions, type GroupGraph } from '../../src/processor/index.ts'
import { kcatRead } from '../producer/helpers.ts'
import { startCluster, produce } from '../testkit/mock-cluster/support.ts'
import { ApiKey, ChaosProxy, type MockCluster } from '../../src/testkit/index.ts'
import { keyPartition } from '../../src/producer/murmur2.ts'
import { testLogger } from '../consumer/helpers.ts'
import { registry } from '../../src/observability/metrics.ts'
import { checkWordCount, committedAll, expectedCounts, sentences, wordCount, type KeyValue } from './helpers.ts'

const PARTITIONS = 4

/** The mock has no CreateTopics: a group's topics are made with the cluster (the real-Kafka tests cover createTopics). */
function groupTopics (group: string, inputTopic: string, partitions = PARTITIONS): Array<{ name: string, partitions: number }> {
  return [inputTopic, `${group}-loop`, `${group}-table`, `${group}-out`].map((name) => ({ name, partitions }))
}

/** A mock whose group APIs are capped where it parses them (docs/testkit.md), with no initial rebalance delay. */
async function startMock (t: TestContext, topics: Array<{ name: string, partitions: number }>): Promise<MockCluster> {
  const mock = await startCluster(t, { topics })
  await mock.setApiVersion(ApiKey.JoinGroup, 0, 5)
  await mock.setApiVersion(ApiKey.SyncGroup, 0, 3)
  await mock.setApiVersion(ApiKey.LeaveGroup, 0, 2)
  await mock.setGroupInitialRebalanceDelay(0)
  return mock
}

function options (bootstrap: string, extra: Partial<ProcessorOptions> = {}): ProcessorOptions {
  return { bootstrap, logger: testLogger, commitIntervalMs: 100, consumer: { fetchMaxWaitMs: 100, retryBackoffMs: 50, retryBackoffMaxMs: 500, sessionTimeoutMs: 3_000, heartbeatIntervalMs: 200, rebalanceTimeoutMs: 5_000 }, ...extra }
}

/** Writes lines round-robin over the partitions with kcat (keys `line-i`). */
async function writeLines (bootstrap: string, topic: string, lines: string[], from = 0): Promise<void> {
  for (let p = 0; p < PARTITIONS; p++) {
    const mine = lines.map((l, i) => [from + i, l] as const).filter(([i]) => i % PARTITIONS === p).map(([i, l]) => `line-${i}:${l}`)
    const result = await produce(bootstrap, topic, p, mine, ['-K', ':'])
    assert.equal(result.code, 0, result.stderr)
  }
}

async function readAll (bootstrap: string, topic: string): Promise<KeyValue[]> {
  const all: KeyValue[] = []
  for (let p = 0; p < PARTITIONS; p++) for (const r of await kcatRead(bootstrap, topic, p)) all.push({ partition: p, key: r.key, value: r.value })
  return all
}

function start (t: TestContext, graph: GroupGraph, opts: ProcessorOptions): { processor: Processor, running: Promise<void> } {
  const processor = new Processor(graph, opts)
  const running = processor.run()
  running.catch(() => {})
  t.after(async () => { await processor.stop() })
  return { processor, running }
}

test('word count on the mock: table and output equal the counts computed from the input', async (t) => {
  const mock = await startMock(t, groupTopics('wc', 'wc-in'))
  const admin = new Admin({ bootstrap: mock.bootstrap, logger: testLogger })
  t.after(async () => { await admin.close() })
  const lines = sentences(400, 7)
  await writeLines(mock.bootstrap, 'wc-in', lines)
  const graph = wordCount('wc', 'wc-in', 'wc-out')
  const states: string[] = []
  const { processor, running } = start(t, graph, options(mock.bootstrap))
  processor.on('state', (s: string) => states.push(s))
  await committedAll(processor, admin, ['wc-in', 'wc-loop'], PARTITIONS, running)
  const status = processor.status()
  assert.equal(status.state, 'running')
  assert.deepEqual(status.partitions.map((p) => p.partition), [0, 1, 2, 3])
  assert.equal(status.partitions.reduce((n, p) => n + p.processed, 0), lines.length + lines.join(' ').split(' ').length)
  await processor.stop()
  await running
  assert.deepEqual(states, ['running', 'stopping', 'stopped'])
  // The metric is counted once per slice, not per record: after the stop it has every record.
  const metric = await registry.getSingleMetric('steadfast_processor_records_processed_total')?.get()
  const counted = (metric?.values ?? []).filter((v) => v.labels.group === 'wc').reduce((n, v) => n + v.value, 0)
  assert.equal(counted, lines.length + lines.join(' ').split(' ').length, 'records_processed_total counts every input and loop record')
  const report = checkWordCount(expectedCounts(lines), await readAll(mock.bootstrap, 'wc-table'), await readAll(mock.bootstrap, 'wc-out'), PARTITIONS, { exact: true })
  assert.deepEqual(report, { duplicatesApplied: 0, repeatedSources: [] })
})

test('restart with the SQLite store recovers only the tail the store does not have', async (t) => {
  const mock = await startMock(t, groupTopics('rs', 'rs-in'))
  const admin = new Admin({ bootstrap: mock.bootstrap, logger: testLogger })
  t.after(async () => { await admin.close() })
  const dir = mkdtempSync(joinPath(tmpdir(), 'steadfast-store-'))
  t.after(() => { rmSync(dir, { recursive: true, force: true }) })
  const graph = wordCount('rs', 'rs-in', 'rs-out')
  const tableEnd = async (): Promise<bigint> => (await admin.listOffsets([{ topic: 'rs-table' }], 'latest')).reduce((n, o) => n + o.offset, 0n)

  // 1. With the persistent store: the first batch.
  const first = sentences(150, 3)
  await writeLines(mock.bootstrap, 'rs-in', first)
  const a = start(t, graph, options(mock.bootstrap, { store: sqliteStore(dir) }))
  await committedAll(a.processor, admin, ['rs-in', 'rs-loop'], PARTITIONS, a.running)
  assert.equal(a.processor.status().partitions.reduce((n, p) => n + p.recovered, 0), 0, 'nothing to recover at first')
  await a.processor.stop()
  const afterFirst = await tableEnd()

  // 2. Another member, in memory: recovers the whole table, then writes the second batch's tail.
  const second = sentences(100, 4)
  await writeLines(mock.bootstrap, 'rs-in', second, first.length)
  const b = start(t, graph, options(mock.bootstrap))
  await committedAll(b.processor, admin, ['rs-in', 'rs-loop'], PARTITIONS, b.running)
  assert.equal(b.processor.status().partitions.reduce((n, p) => n + p.recovered, 0), Number(afterFirst), 'an empty store recovers every table record')
  await b.processor.stop()
  const afterSecond = await tableEnd()
  assert.ok(afterSecond > afterFirst)

  // 3. The persistent store again: it reads only what the second member wrote.
  const c = start(t, graph, options(mock.bootstrap, { store: sqliteStore(dir) }))
  await new Promise<void>((resolve) => { c.processor.on('state', (s: string) => { if (s === 'running') resolve() }) })
  assert.equal(c.processor.status().partitions.reduce((n, p) => n + p.recovered, 0), Number(afterSecond - afterFirst), 'only the tail is recovered')
  await c.processor.stop()
  const all = [...first, ...second]
  const report = checkWordCount(expectedCounts(all), await readAll(mock.bootstrap, 'rs-table'), await readAll(mock.bootstrap, 'rs-out'), PARTITIONS, { exact: true })
  assert.deepEqual(report, { duplicatesApplied: 0, repeatedSources: [] })
})

test('setup refusals: missing topics without createTopics, inputs that are not co-partitioned', async (t) => {
  const mock = await startMock(t, [{ name: 'su-a', partitions: 4 }, { name: 'su-b', partitions: 3 }])
  const noop = (): void => {}
  const table = defineGroup('su', input('su-a', stringCodec, noop), persist(stringCodec))
  await assert.rejects(new Processor(table, options(mock.bootstrap)).run(),
    (e: unknown) => e instanceof GraphError && e.message === 'processor su: topic su-table does not exist; create it with 4 partitions and cleanup.policy=compact, or pass createTopics to the processor')
  const mixed = defineGroup('su2', input('su-a', stringCodec, noop), input('su-b', stringCodec, noop))
  await assert.rejects(new Processor(mixed, options(mock.bootstrap)).run(), /processor su2: inputs, loop, table and joins must be co-partitioned \(same partition count\), got su-a: 4, su-b: 3/)
  const missing = defineGroup('su3', input('su-none', stringCodec, noop))
  await assert.rejects(new Processor(missing, options(mock.bootstrap)).run(), /processor su3: topic\(s\) su-none do not exist/)
  assert.throws(() => new Processor(missing, { bootstrap: mock.bootstrap, linger: 1 } as never), /processor option linger is unknown/)
  assert.throws(() => new Processor(missing, { bootstrap: mock.bootstrap, consumer: { groupId: 'x' } }), /consumer\.groupId is set by the processor/)
  assert.throws(() => new Processor(missing, { bootstrap: mock.bootstrap, commitIntervalMs: 0 }), /commitIntervalMs must be an integer from 10 to 600000, got 0/)
})

test('a callback that throws stops the processor naming the record; the records before it are committed', async (t) => {
  const mock = await startMock(t, groupTopics('ft', 'ft-in', 1))
  const admin = new Admin({ bootstrap: mock.bootstrap, logger: testLogger })
  t.after(async () => { await admin.close() })
  const lines = Array.from({ length: 20 }, (_, i) => `k${i}:${i === 12 ? 'poison' : String(i)}`)
  assert.equal((await produce(mock.bootstrap, 'ft-in', 0, lines, ['-K', ':'])).code, 0)
  const graph = defineGroup('ft', input('ft-in', stringCodec, (ctx, v: string) => {
    if (v === 'poison') throw new Error('cannot handle poison')
    ctx.setValue(Number(v))
  }), persist(jsonCodec<number>()))
  const processor = new Processor(graph, options(mock.bootstrap))
  await assert.rejects(processor.run(), (e: unknown) => e instanceof ProcessingError && e.partition === 0 && e.offset === 12n &&
    e.message === 'processor ft: the callback threw at ft-in-0 offset 12: cannot handle poison')
  assert.equal(processor.state, 'stopped')
  const [lag] = await admin.consumerGroupLag('ft', { topics: [{ topic: 'ft-in' }] })
  assert.equal(lag?.committed, 12n, 'committed up to the failing record, not past it')
  assert.deepEqual((await kcatRead(mock.bootstrap, 'ft-table', 0)).map((r) => `${r.key}=${r.value}`), Array.from({ length: 12 }, (_, i) => `k${i}=${i}`))
})

test('a View rebuilds a store that is ahead of its topic, then follows it; the Emitter places keys by the chosen hasher', async (t) => {
  const mock = await startMock(t, [{ name: 'vw-table', partitions: 1 }, { name: 'em-fnv', partitions: 10 }])
  const dir = mkdtempSync(joinPath(tmpdir(), 'steadfast-view-'))
  t.after(() => { rmSync(dir, { recursive: true, force: true }) })
  // A store from another life of the topic: offset 1000, a key the topic never had.
  const stale = sqliteStore(dir)('vw-table', 0)
  stale.apply([['stale', Buffer.from('"old"')]], 1000n)
  stale.close()
  assert.equal((await produce(mock.bootstrap, 'vw-table', 0, ['a:"1"', 'b:"2"', 'a:"3"'], ['-K', ':'])).code, 0)
  const view = new View('vw-table', jsonCodec<string>(), { bootstrap: mock.bootstrap, store: sqliteStore(dir), logger: testLogger, consumer: { fetchMaxWaitMs: 100 } })
  t.after(async () => { await view.close() })
  await view.start()
  assert.deepEqual([...view.entries()], [['a', '3'], ['b', '2']], 'rebuilt from the topic, the stale key gone')

  const emitter = new Emitter('em-fnv', stringCodec, { bootstrap: mock.bootstrap, hasher: 'fnv32a', logger: testLogger })
  t.after(async () => { await emitter.close() })
  const placed = await emitter.emit('foobar', 'x')
  emitter.emitAndTrack('a', 'y')
  await emitter.flush()
  // FNV-1a("foobar") = 0xbf9cf968 → int32 -1080231576, truncated % 10 = -6 → 6; FNV-1a("a") = 0xe40c292c → -468965076 % 10 = -6 → 6.
  assert.equal(placed.partition, 6)
  assert.deepEqual((await kcatRead(mock.bootstrap, 'em-fnv', 6)).map((r) => `${r.key}=${r.value}`), ['foobar=x', 'a=y'])
})

test('table writes that fail for good restart only their partition; the processor keeps running and nothing is lost', async (t) => {
  const mock = await startMock(t, groupTopics('pr', 'pr-in'))
  const admin = new Admin({ bootstrap: mock.bootstrap, logger: testLogger })
  t.after(async () => { await admin.close() })
  const lines = sentences(300, 21)
  await writeLines(mock.bootstrap, 'pr-in', lines)
  // Partition 0 of the table answers NOT_ENOUGH_REPLICAS (19) to its next 15 Produce attempts:
  // more than fit in one delivery timeout, so sends fail for good and the partition restarts.
  await mock.pushPartitionRequestErrors('pr-table', 0, ApiKey.Produce, Array.from({ length: 15 }, () => 19))
  const { processor, running } = start(t, wordCount('pr', 'pr-in', 'pr-out'), options(mock.bootstrap, {
    producer: { requestTimeoutMs: 1000, deliveryTimeoutMs: 1500, lingerMs: 5, retryBackoffMs: 50, retryBackoffMaxMs: 200 },
    restartBackoff: { initialDelayMs: 50, maxDelayMs: 200 },
  }))
  const states: string[] = []
  processor.on('state', (s: string) => states.push(s))
  await committedAll(processor, admin, ['pr-in', 'pr-loop'], PARTITIONS, running)
  const restarts = processor.status().partitions.map((p) => p.restarts)
  assert.ok((restarts[0] as number) >= 1, `partition 0 restarted (${restarts.join(', ')})`)
  assert.deepEqual(restarts.slice(1), [0, 0, 0], 'the other partitions did not')
  assert.deepEqual(states.filter((s) => s === 'stopping' || s === 'stopped'), [], 'the processor never stopped')
  await processor.stop()
  const report = checkWordCount(expectedCounts(lines), await readAll(mock.bootstrap, 'pr-table'), await readAll(mock.bootstrap, 'pr-out'), PARTITIONS, { exact: false })
  console.log(`# partition 0 restarted ${restarts[0]} time(s); duplicates applied: ${report.duplicatesApplied}; occurrences emitted twice: ${report.repeatedSources.length}`)
})

test('a backlog of slow callbacks leaves the event loop to the heartbeats: the member keeps its partitions and every record is applied once', { timeout: 90_000 }, async (t) => {
  const mock = await startMock(t, [{ name: 'bl-in', partitions: PARTITIONS }, { name: 'bl-table', partitions: PARTITIONS }])
  const admin = new Admin({ bootstrap: mock.bootstrap, logger: testLogger })
  t.after(async () => { await admin.close() })
  const perPartition = 600
  for (let p = 0; p < PARTITIONS; p++) {
    assert.equal((await produce(mock.bootstrap, 'bl-in', p, Array.from({ length: perPartition }, (_, i) => `k${p}-${i % 50}:${i}`), ['-K', ':'])).code, 0)
  }
  // 2 ms of synchronous work per record: the backlog takes 4.8 s of CPU, longer than the 3 s
  // session timeout, so heartbeats must get through between records for the member to stay.
  const applied = new Map<string, number>()
  const graph = defineGroup('bl', input('bl-in', stringCodec, (ctx) => {
    const until = performance.now() + 2
    while (performance.now() < until);
    const at = `${ctx.partition}/${ctx.offset}`
    applied.set(at, (applied.get(at) ?? 0) + 1)
    ctx.setValue((ctx.value() ?? 0) + 1)
  }), persist(jsonCodec<number>()))
  const { processor, running } = start(t, graph, options(mock.bootstrap))
  // A member that lost its session is given its partitions again: each one recovers a second time.
  const recovered = new Set<number>()
  const reassigned = new Promise<never>((_resolve, reject) => {
    processor.on('partition-state', ({ partition, state }: { partition: number, state: string }) => {
      if (state !== 'recovering') return
      if (recovered.has(partition)) reject(new Error(`partition ${partition} recovered again: the member lost its place in the group`))
      recovered.add(partition)
    })
  })
  await Promise.race([committedAll(processor, admin, ['bl-in'], PARTITIONS, running), reassigned])
  assert.deepEqual([...recovered].sort(), [0, 1, 2, 3])
  assert.equal(applied.size, PARTITIONS * perPartition, 'every record applied')
  assert.deepEqual([...applied].filter(([, n]) => n > 1), [], 'no record applied twice')
  await processor.stop()
})

test('visitAll runs a visitor on every table key of every partition, its writes acknowledged when it resolves, in order with the records', async (t) => {
  const mock = await startMock(t, ['vz-in', 'vz-table', 'vz-out'].map((name) => ({ name, partitions: PARTITIONS })))
  const admin = new Admin({ bootstrap: mock.bootstrap, logger: testLogger })
  t.after(async () => { await admin.close() })
  // Per partition 5 keys, each counted 4 times.
  const write = async (times: number): Promise<void> => {
    for (let p = 0; p < PARTITIONS; p++) {
      assert.equal((await produce(mock.bootstrap, 'vz-in', p, Array.from({ length: 5 * times }, (_, i) => `w${p}-${i % 5}:x`), ['-K', ':'])).code, 0)
    }
  }
  await write(4)
  const graph = defineGroup('vz',
    input('vz-in', stringCodec, (ctx: Context<number>) => { ctx.setValue((ctx.value() ?? 0) + 1) }),
    persist(jsonCodec<number>()),
    output('vz-out', jsonCodec<{ was: number, now: number }>()),
    visitor('reset', (ctx: Context<number>, to: number) => {
      ctx.emit('vz-out', ctx.key, { was: ctx.value() as number, now: to })
      ctx.setValue(to)
    })
  )
  const { processor, running } = start(t, graph, options(mock.bootstrap))
  await committedAll(processor, admin, ['vz-in'], PARTITIONS, running)
  await assert.rejects(processor.visitAll('nope'), /visitAll: group vz has no visitor nope \(visitors: reset\)/)
  assert.equal(await processor.visitAll('reset', 100), PARTITIONS * 5, 'every key visited once')
  // Resolved: the visit's table writes and emits are in Kafka.
  const table = await readAll(mock.bootstrap, 'vz-table')
  const last = new Map(table.map((r) => [r.key, Number(r.value)]))
  assert.equal(last.size, PARTITIONS * 5)
  assert.deepEqual([...last.values()].filter((v) => v !== 100), [], 'every key reset to the meta given')
  const out = await readAll(mock.bootstrap, 'vz-out')
  assert.deepEqual(out.map((r) => r.value).sort(), Array.from({ length: PARTITIONS * 5 }, () => JSON.stringify({ was: 4, now: 100 })), 'each key emitted once, with its count before the visit')
  // Records after the visit count on from its value.
  await write(1)
  await committedAll(processor, admin, ['vz-in'], PARTITIONS, running)
  await processor.stop()
  const after = new Map((await readAll(mock.bootstrap, 'vz-table')).map((r) => [r.key, Number(r.value)]))
  assert.deepEqual([...after.values()].filter((v) => v !== 101), [])
  await assert.rejects(processor.visitAll('reset', 0), (e: unknown) => e instanceof VisitAbortedError && e.message === 'visit reset: processor vz is stopped')
})

test('an input offset is not committed while a batched write it caused is unacknowledged', async (t) => {
  const mock = await startMock(t, ['ak-in', 'ak-table', 'ak-out'].map((name) => ({ name, partitions: PARTITIONS })))
  const admin = new Admin({ bootstrap: mock.bootstrap, logger: testLogger })
  t.after(async () => { await admin.close() })
  // Keys that murmur2 places in the partition they are written to: every write of input partition
  // p (its table record and its emit) goes to partition p of the table and of the output.
  const keysOf = (p: number): string[] => Array.from({ length: 400 }, (_, i) => `key-${i}`).filter((k) => keyPartition(Buffer.from(k), PARTITIONS) === p).slice(0, 10)
  const perPartition = 50
  const expected = new Map<string, number>()
  for (let p = 0; p < PARTITIONS; p++) {
    const lines = Array.from({ length: perPartition }, (_, i) => (keysOf(p)[i % 10] as string))
    for (const k of lines) expected.set(k, (expected.get(k) ?? 0) + 1)
    assert.equal((await produce(mock.bootstrap, 'ak-in', p, lines.map((k) => `${k}:v`), ['-K', ':'])).code, 0)
  }
  // Partition 0 of the table and the output on broker 1, the other partitions elsewhere; every
  // Produce to broker 1 is swallowed by the proxy (never forwarded, never answered) until healed.
  for (const topic of ['ak-table', 'ak-out']) {
    for (let p = 0; p < PARTITIONS; p++) await mock.setPartitionLeader(topic, p, p === 0 ? 1 : 2)
  }
  const proxy = await ChaosProxy.start({ upstream: mock.bootstrap, logger: testLogger })
  t.after(async () => { await proxy.close() })
  await proxy.blackhole({ brokerId: 1, apiKey: ApiKey.Produce })
  const graph = defineGroup('ak',
    input('ak-in', stringCodec, (ctx: Context<number>) => {
      const n = (ctx.value() ?? 0) + 1
      ctx.setValue(n)
      ctx.emit('ak-out', ctx.key, n)
    }),
    persist(jsonCodec<number>()),
    output('ak-out', jsonCodec<number>()))
  const { processor, running } = start(t, graph, options(proxy.bootstrap, { producer: { requestTimeoutMs: 2_000 } }))
  const committedPartitions = new Set<number>()
  const othersCommitted = new Promise<void>((resolve) => {
    processor.on('commit', (offsets: Array<{ topic: string, partition: number, offset: bigint }>) => {
      for (const o of offsets) {
        committedPartitions.add(o.partition)
        if (o.partition !== 0 && o.offset === BigInt(perPartition)) committedPartitions.add(100 + o.partition)
      }
      if ([1, 2, 3].every((p) => committedPartitions.has(100 + p))) resolve()
    })
  })
  // Wait until every callback of partition 0 ran while the other partitions committed their end.
  await othersCommitted
  await new Promise<void>((resolve, reject) => {
    const check = (): void => { if (processor.status().partitions.find((p) => p.partition === 0)?.processed === perPartition) resolve(); else setTimeout(check, 50) }
    check()
    running.then(() => { reject(new Error('processor stopped')) }, reject)
  })
  assert.equal(committedPartitions.has(0), false, 'no commit covered partition 0 while its writes were held')
  const held = await admin.consumerGroupLag('ak', { topics: [{ topic: 'ak-in' }] })
  assert.equal(held.find((l) => l.partition === 0)?.committed ?? -1n, -1n, 'the group has no committed offset for partition 0')
  assert.equal(processor.status().partitions.find((p) => p.partition === 0)?.inFlight, perPartition, 'all of partition 0 waits for its writes')
  await proxy.heal()
  await committedAll(processor, admin, ['ak-in'], PARTITIONS, running)
  await processor.stop()
  // Read back by kcat from the mock itself: every key counted once per record, every count emitted.
  const table = new Map((await readAll(mock.bootstrap, 'ak-table')).map((r) => [r.key, Number(r.value)]))
  assert.deepEqual(new Map([...table].sort()), new Map([...expected].sort()))
  const out = await readAll(mock.bootstrap, 'ak-out')
  for (const [key, n] of expected) {
    assert.deepEqual(out.filter((r) => r.key === key).map((r) => Number(r.value)), Array.from({ length: n }, (_, i) => i + 1), `${key}: counts 1..${n} emitted in order`)
  }
})
