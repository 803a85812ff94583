/**
 * Incident 5, one broker of three dies under a stream processor (Goka on Sarama), on real Apache
 * Kafka: a steady stream of words (key = word, value = the record's sequence number within its
 * word) goes into a 6-partition topic whose partitions are all led by one broker; word-count
 * processors with a group table read it side by side, each in its own group: Goka (the current
 * release, its defaults) and, when given, steadfast's processor. After BEFORE_MS the leader broker
 * is killed (SIGKILL) and started again DOWN_MS later; the stream goes on for AFTER_MS more, then
 * each processor has CATCH_UP_MS to finish. Per processor: whether it stopped by itself (and why),
 * records applied twice (a sequence not after the word's last applied one), input records not
 * reflected in its table (read back from `<group>-table` by Kafka's own consumer in the rig's
 * control helper, against the input log read the same way), and the longest gap between processed
 * records. Kafka's own leader election time and the producer's longest gap between
 * acknowledgements are measured in the same run.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { Producer } from '../../../src/producer/producer.ts'
import { createLogger } from '../../../src/observability/logger.ts'
import type { RealCluster } from '../../../src/testkit/real-cluster/real-cluster.ts'

const run = promisify(execFile)
const HERE = fileURLToPath(new URL('.', import.meta.url))
const BUILD = fileURLToPath(new URL('../../../build/incidents/', import.meta.url))
const PARTITIONS = 6
const WORDS = 60
const RECORDS_PER_SECOND = 400
const BEFORE_MS = 8000
const DOWN_MS = 10_000
const AFTER_MS = 10_000
const CATCH_UP_MS = 15_000

/** What a processor side reports about itself (the Goka program prints exactly this as JSON). */
export interface SideSummary {
  stopped: boolean
  stoppedAtMs: number
  error: string
  processed: number
  appliedTwice: number
  longestGapMs: number
}

export interface ProcessorRun extends SideSummary {
  /** Input records whose effect is missing from the group table. */
  notReflected: number
}

export interface BrokerLossRun {
  electionMs: number
  inputRecords: number
  producerLongestGapMs: number
  producerFailed: number
  sides: Map<string, ProcessorRun>
}

/** A processor under test: runs the word-count graph for `durationMs` on `group`, then reports. */
export type ProcessorSide = (args: { bootstrap: string, input: string, group: string, durationMs: number }) => Promise<SideSummary>

/** Builds the Goka program once into build/incidents (Go modules from the module proxy). */
export async function buildGoka (): Promise<ProcessorSide> {
  mkdirSync(BUILD, { recursive: true })
  const binary = join(BUILD, 'goka-wordcount')
  await run('go', ['build', '-o', binary, '.'], { cwd: join(HERE, 'goka'), env: { ...process.env, GOFLAGS: '-mod=mod' } })
  return async ({ bootstrap, input, group, durationMs }) => {
    const storage = mkdtempSync(join(tmpdir(), 'incident-goka-'))
    try {
      const { stdout } = await run(binary, ['-bootstrap', bootstrap, '-input', input, '-group', group, '-duration', `${durationMs}ms`, '-storage', storage],
        { maxBuffer: 64 * 1024 * 1024 })
      return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as SideSummary
    } finally {
      rmSync(storage, { recursive: true, force: true })
    }
  }
}

/** Words in the log, and per word how many records; the truth every table is held against. */
async function inputCounts (cluster: RealCluster, topic: string): Promise<{ total: number, perWord: Map<string, number> }> {
  const perWord = new Map<string, number>()
  let total = 0
  for (let p = 0; p < PARTITIONS; p++) {
    for (const r of await cluster.readPartition(topic, p)) {
      total++
      perWord.set(r.key ?? '', (perWord.get(r.key ?? '') ?? 0) + 1)
    }
  }
  return { total, perWord }
}

/** The table's newest "<count> <last>" per word, read from its topic. */
async function tableCounts (cluster: RealCluster, topic: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>()
  for (let p = 0; p < PARTITIONS; p++) {
    const records = await cluster.readPartition(topic, p).catch(() => [])
    for (const r of records) counts.set(r.key ?? '', Number((r.value ?? '0').split(' ')[0]))
  }
  return counts
}

export async function brokerLoss (cluster: RealCluster, round: number, sides: Map<string, ProcessorSide>): Promise<BrokerLossRun> {
  const input = `incident-words-${round}`
  await cluster.createTopic({ name: input, partitions: PARTITIONS, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } })
  const victim = cluster.brokers[round % cluster.brokers.length]?.id ?? 1
  for (let p = 0; p < PARTITIONS; p++) await cluster.moveLeader(input, p, victim)

  const producer = new Producer({ bootstrap: cluster.bootstrap, logger: createLogger({ level: 'silent' }), deliveryTimeoutMs: 120_000 })
  const total = BEFORE_MS + DOWN_MS + AFTER_MS
  const groups = new Map([...sides.keys()].map((name) => [name, `incident-${name.replace(/\W+/g, '-')}-${round}`]))
  const running = new Map([...sides].map(([name, side]) => [name, side({ bootstrap: cluster.bootstrap, input, group: groups.get(name) ?? name, durationMs: total + CATCH_UP_MS })]))

  const started = performance.now()
  const sequence = new Map<string, number>()
  let lastAck = performance.now()
  let producerLongestGapMs = 0
  let producerFailed = 0
  const pending: Array<Promise<void>> = []
  const produce = async (): Promise<void> => {
    let sent = 0
    while (performance.now() - started < total) {
      const due = Math.floor((performance.now() - started) * RECORDS_PER_SECOND / 1000)
      for (; sent < due; sent++) {
        const word = `w${sent % WORDS}`
        const seq = (sequence.get(word) ?? 0) + 1
        sequence.set(word, seq)
        pending.push(producer.send({ topic: input, key: word, value: String(seq) }).then(() => {
          const now = performance.now()
          producerLongestGapMs = Math.max(producerLongestGapMs, now - lastAck)
          lastAck = now
        }, () => { producerFailed++ }))
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  const producing = produce()

  await new Promise((resolve) => setTimeout(resolve, BEFORE_MS))
  const killedAt = performance.now()
  await cluster.kill(victim)
  let electionMs = performance.now() - killedAt
  for (;;) {
    const leaders = (await cluster.describeTopic(input)).map((p) => p.leader)
    if (leaders.every((l) => l !== victim && l >= 0)) break
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  electionMs = performance.now() - killedAt
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, DOWN_MS - (performance.now() - killedAt))))
  await cluster.startNode(victim)
  await producing
  await Promise.all(pending)
  await producer.close()

  const results = new Map<string, SideSummary>()
  for (const [name, p] of running) results.set(name, await p)
  const truth = await inputCounts(cluster, input)
  const out = new Map<string, ProcessorRun>()
  for (const [name, s] of results) {
    const table = await tableCounts(cluster, `${groups.get(name) ?? name}-table`)
    const applied = [...table.values()].reduce((a, b) => a + b, 0)
    out.set(name, { ...s, notReflected: Math.max(0, truth.total - (applied - s.appliedTwice)) })
  }
  return { electionMs, inputRecords: truth.total, producerLongestGapMs, producerFailed, sides: out }
}
