/**
 * Incident 3, the group coordinator moves (Sarama ClusterAdmin), on real Apache Kafka: four
 * long-running admin clients poll ListConsumerGroupOffsets for the same group every 50 ms, side by
 * side on one 3-broker RealCluster, while the coordinator's broker is killed (SIGKILL) and started
 * again 10 s later: Sarama 1.43.3 (the last release before its coordinator-refresh fix), the current
 * Sarama, KafkaJS 2.2.4's admin and steadfast's Admin. Each client is created once, before the
 * fault, as a service would hold it. Per client: calls, failed calls, answers with wrong offsets,
 * the longest time without a correct answer, and whether it answers correctly at the end without
 * being restarted. Kafka's own failover time (kill until a new coordinator answers, as Kafka's Java
 * AdminClient in the rig's control helper sees it) is measured in the same run for reference.
 */
import { execFile } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { Kafka, logLevel } from 'kafkajs'
import { Admin } from '../../../src/admin/admin.ts'
import { createLogger } from '../../../src/observability/logger.ts'
import type { RealCluster } from '../../../src/testkit/real-cluster/real-cluster.ts'

const run = promisify(execFile)
const HERE = fileURLToPath(new URL('.', import.meta.url))
const BUILD = fileURLToPath(new URL('../../../build/incidents/', import.meta.url))
const TOPIC = 'incident-coordinator'
const OFFSETS = [11, 22, 33]
const INTERVAL_MS = 50
const BEFORE_MS = 3000
const DOWN_MS = 10_000
const AFTER_MS = 10_000

export interface PollSummary {
  calls: number
  failed: number
  wrong: number
  longestGapMs: number
  endedOk: boolean
  errors: Record<string, number>
}

export interface CoordinatorRun {
  failoverMs: number
  clients: Map<string, PollSummary>
}

/** Builds the Sarama program once per release into build/incidents (Go modules from the module proxy). */
export async function buildSarama (): Promise<Map<string, string>> {
  mkdirSync(BUILD, { recursive: true })
  const dir = join(HERE, 'sarama')
  const builds = new Map<string, string>([['sarama 1.43.3', 'go.1.43.mod'], ['sarama (current)', 'go.mod']])
  const binaries = new Map<string, string>()
  for (const [name, modfile] of builds) {
    const out = join(BUILD, `sarama-${modfile.replace(/\W+/g, '-')}`)
    await run('go', ['build', `-modfile=${modfile}`, '-o', out, '.'], { cwd: dir, env: { ...process.env, GOFLAGS: '-mod=mod' } })
    binaries.set(name, out)
  }
  return binaries
}

/** Polls with `call` every INTERVAL_MS until `until()`; `call` resolves with the offsets it read. */
async function poll (call: () => Promise<number[]>, until: () => boolean): Promise<PollSummary> {
  const s: PollSummary = { calls: 0, failed: 0, wrong: 0, longestGapMs: 0, endedOk: false, errors: {} }
  let lastOk = performance.now()
  while (!until()) {
    s.calls++
    let ok = false
    try {
      const got = await call()
      ok = got.join(',') === OFFSETS.join(',')
      if (!ok) {
        s.wrong++
        s.errors['wrong offsets'] = (s.errors['wrong offsets'] ?? 0) + 1
      }
    } catch (error) {
      s.failed++
      const key = (error as Error).message.slice(0, 120)
      s.errors[key] = (s.errors[key] ?? 0) + 1
    }
    const now = performance.now()
    if (ok) {
      s.longestGapMs = Math.max(s.longestGapMs, now - lastOk)
      lastOk = now
    }
    s.endedOk = ok
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS))
  }
  s.longestGapMs = Math.max(s.longestGapMs, performance.now() - lastOk)
  return s
}

export async function coordinatorMove (cluster: RealCluster, round: number, sarama: Map<string, string>): Promise<CoordinatorRun> {
  const group = `incident-coordinator-${round}`
  if (round === 0) await cluster.createTopic({ name: TOPIC, partitions: 3, replicationFactor: 3 })
  const logger = createLogger({ level: 'silent' })
  const admin = new Admin({ bootstrap: cluster.bootstrap, logger })
  await admin.alterConsumerGroupOffsets(group, OFFSETS.map((offset, partition) => ({ topic: TOPIC, partition, offset })))
  const kafkajs = new Kafka({ clientId: 'incident-kafkajs', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING }).admin()
  await kafkajs.connect()

  const total = BEFORE_MS + DOWN_MS + AFTER_MS
  const started = performance.now()
  const done = (): boolean => performance.now() - started > total
  const partitions = OFFSETS.map((_, p) => p)
  const polls = new Map<string, Promise<PollSummary>>()
  polls.set('steadfast', poll(async () => {
    const offsets = (await admin.listConsumerGroupOffsets(group, { topics: [{ topic: TOPIC, partitions }] })).get(group) ?? []
    return partitions.map((p) => Number(offsets.find((o) => o.partition === p)?.offset ?? -1))
  }, done))
  polls.set('kafkajs 2.2.4', poll(async () => {
    const [entry] = await kafkajs.fetchOffsets({ groupId: group, topics: [TOPIC] })
    return partitions.map((p) => Number(entry?.partitions.find((o) => o.partition === p)?.offset ?? -1))
  }, done))
  for (const [name, binary] of sarama) {
    polls.set(name, run(binary, ['-bootstrap', cluster.bootstrap, '-group', group, '-topic', TOPIC, '-partitions', '3',
      '-expect', OFFSETS.join(','), '-interval', `${INTERVAL_MS}ms`, '-duration', `${total}ms`])
      .then(({ stdout }) => JSON.parse(stdout) as PollSummary))
  }

  await new Promise((resolve) => setTimeout(resolve, BEFORE_MS))
  const coordinator = await cluster.coordinatorOf(group)
  const killedAt = performance.now()
  await cluster.kill(coordinator)
  const failoverMs = await untilCoordinatorAnswers(cluster, group, coordinator, killedAt)
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, DOWN_MS - (performance.now() - killedAt))))
  await cluster.startNode(coordinator)

  const clients = new Map<string, PollSummary>()
  for (const [name, p] of polls) clients.set(name, await p)
  await admin.close()
  await kafkajs.disconnect()
  return { failoverMs, clients }
}

/** Kafka's own failover: from the kill until Kafka's AdminClient reads the group's offsets from a new coordinator. */
async function untilCoordinatorAnswers (cluster: RealCluster, group: string, old: number, killedAt: number): Promise<number> {
  for (;;) {
    const now = await cluster.coordinatorOf(group)
    if (now !== old && now !== -1) {
      await cluster.groupOffsets(group)
      return performance.now() - killedAt
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
