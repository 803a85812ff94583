/**
 * The processor on real Kafka (3 brokers, RF 3, min.insync.replicas 2): the word count with its
 * loop, table and output topics created by the processor (table compacted), read back with
 * Kafka's own consumer (RealCluster.readPartition) and compared with plain-JS counts; then the
 * same run while the leader of several partitions is SIGKILLed and restarted 10 s later: the
 * processor never stops, every input record is reflected in the table, and the records applied
 * twice (in flight at the fault) are counted and reported.
 */
import { describe, test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { Admin } from '../../src/admin/admin.ts'
import { Producer } from '../../src/producer/producer.ts'
import { Processor, type ProcessorOptions } from '../../src/processor/index.ts'
import { testLogger } from '../consumer/helpers.ts'
import { realClusterSuite, unique } from '../real/suite.ts'
import { checkWordCount, committedAll, expectedCounts, sentences, wordCount, type KeyValue } from './helpers.ts'

const PARTITIONS = 4
const suite = realClusterSuite({ brokers: 3, brokerConfig: { 'min.insync.replicas': 2, 'default.replication.factor': 3 } })

function options (bootstrap: string): ProcessorOptions {
  return {
    bootstrap,
    logger: testLogger,
    createTopics: { replicationFactor: 3 },
    commitIntervalMs: 200,
    consumer: { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500, rebalanceTimeoutMs: 20_000 },
  }
}

async function readAll (topic: string): Promise<KeyValue[]> {
  const all: KeyValue[] = []
  for (let p = 0; p < PARTITIONS; p++) {
    for (const r of await suite.cluster.readPartition(topic, p)) all.push({ partition: p, key: r.key ?? '', value: r.value ?? '' })
  }
  return all
}

async function send (producer: Producer, topic: string, lines: string[], from: number): Promise<void> {
  await Promise.all(lines.map(async (line, i) => await producer.send({ topic, key: `line-${from + i}`, value: line })))
}

async function setUp (t: TestContext, name: string): Promise<{ group: string, input: string, admin: Admin, producer: Producer }> {
  const group = unique(name)
  const input = `${group}-in`
  await suite.cluster.createTopic({ name: input, partitions: PARTITIONS, replicationFactor: 3 })
  const admin = new Admin({ bootstrap: suite.cluster.bootstrap, logger: testLogger })
  const producer = new Producer({ bootstrap: suite.cluster.bootstrap, logger: testLogger })
  t.after(async () => { await producer.close(); await admin.close() })
  return { group, input, admin, producer }
}

describe('processor on real Kafka', { timeout: Number(process.env.STEADFAST_TEST_TIMEOUT ?? 600_000) }, () => {
  test('word count: created topics (table compacted), table and output equal the plain-JS counts', async (t) => {
    const { group, input, admin, producer } = await setUp(t, 'pw')
    const lines = sentences(1000, 11)
    await send(producer, input, lines, 0)
    const processor = new Processor(wordCount(group, input, `${group}-out`), options(suite.cluster.bootstrap))
    const running = processor.run()
    t.after(async () => { await processor.stop() })
    await committedAll(processor, admin, [input, `${group}-loop`], PARTITIONS, running)
    await processor.stop()
    await running
    assert.equal((await suite.cluster.describeConfigs('topic', `${group}-table`))['cleanup.policy'], 'compact')
    assert.equal((await suite.cluster.describeTopic(`${group}-loop`)).length, PARTITIONS)
    const report = checkWordCount(expectedCounts(lines), await readAll(`${group}-table`), await readAll(`${group}-out`), PARTITIONS, { exact: true })
    assert.deepEqual(report, { duplicatesApplied: 0, repeatedSources: [] })
  })

  test('broker loss: the leader of several partitions SIGKILLed and restarted after 10 s; the processor never stops, nothing is lost', async (t) => {
    const { group, input, admin, producer } = await setUp(t, 'pk')
    const lines = sentences(3000, 12)
    const processor = new Processor(wordCount(group, input, `${group}-out`), options(suite.cluster.bootstrap))
    const states: string[] = []
    processor.on('state', (s: string) => states.push(s))
    const running = processor.run()
    t.after(async () => { await processor.stop() })
    await new Promise<void>((resolve) => { processor.on('state', (s: string) => { if (s === 'running') resolve() }) })
    await send(producer, input, lines.slice(0, 1000), 0)

    // The broker leading the most partitions of the group's topics.
    const led = new Map<number, string[]>()
    for (const topic of [input, `${group}-loop`, `${group}-table`, `${group}-out`]) {
      for (let p = 0; p < PARTITIONS; p++) {
        const leader = await suite.cluster.leaderOf(topic, p)
        led.set(leader, [...(led.get(leader) ?? []), `${topic}-${p}`])
      }
    }
    const [victim, partitions] = [...led].sort((a, b) => b[1].length - a[1].length)[0] as [number, string[]]
    // Progress for whoever reads a hung run: the processor's status every 20 s.
    const progress = setInterval(() => {
      const s = processor.status()
      console.log(`# ${s.state}: ${s.partitions.map((p) => `p${p.partition} ${p.state} processed=${p.processed} queued=${p.queued} inFlight=${p.inFlight} restarts=${p.restarts}`).join('; ')}`)
    }, 20_000)
    t.after(() => { clearInterval(progress) })
    // A third of the input before the fault, a third while the broker is down, a third after it is back.
    await suite.cluster.kill(victim)
    console.log(`# broker ${victim} killed`)
    const statesAtKill = states.length
    const during = send(producer, input, lines.slice(1000, 2000), 1000)
    // The fault lasts 10 s (the scenario's duration, not a wait for an event).
    await sleep(10_000)
    await suite.cluster.startNode(victim)
    console.log(`# broker ${victim} restarted`)
    await during
    await send(producer, input, lines.slice(2000), 2000)
    console.log('# all input sent')
    await committedAll(processor, admin, [input, `${group}-loop`], PARTITIONS, running)
    const status = processor.status()
    assert.deepEqual(states.slice(statesAtKill).filter((s) => s === 'stopping' || s === 'stopped'), [], 'the processor never stopped')
    assert.ok(status.partitions.every((p) => p.state === 'running'), JSON.stringify(status))
    await processor.stop()
    await running
    const report = checkWordCount(expectedCounts(lines), await readAll(`${group}-table`), await readAll(`${group}-out`), PARTITIONS, { exact: false })
    const restarts = status.partitions.reduce((n, p) => n + p.restarts, 0)
    console.log(`# broker ${victim} killed, leading ${partitions.length} partitions (${partitions.join(', ')}); partition restarts: ${restarts}; ` +
      `duplicates applied to the table: ${report.duplicatesApplied}; word occurrences emitted twice: ${report.repeatedSources.length}` +
      (report.repeatedSources.length > 0 ? ` (e.g. ${report.repeatedSources.slice(0, 5).join(', ')})` : ''))
    assert.ok(partitions.length >= 2, 'the victim led several partitions')
  })
})
