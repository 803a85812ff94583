/**
 * Incident 1, Kafka Connect answers 409 while its worker group rebalances (Strimzi's Connect API
 * client), against real Kafka Connect workers (RealConnect) on real Kafka: 50 FileStream
 * connectors are created, then updated, while workers join and leave (one added, one killed, one
 * stopped during the apply). Side by side, each on a fresh worker group of the same cluster: the
 * Strimzi-like client (strimzi-like.ts) and steadfast's Reconciler. Requests and 409s are counted
 * from undici's diagnostics channel (both clients use undici); figures: requests sent, 409s seen,
 * operations failed, time until every connector is RUNNING (from the start, and after the last
 * worker change: the target is the end of the storm + 2 s).
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConnectClient } from '../../../src/connect/client.ts'
import type { ConnectorManifest } from '../../../src/connect/manifest.ts'
import { Reconciler } from '../../../src/connect/reconciler.ts'
import { createLogger } from '../../../src/observability/logger.ts'
import type { RealCluster } from '../../../src/testkit/real-cluster/real-cluster.ts'
import { RealConnect } from '../../../src/testkit/real-cluster/real-connect.ts'
import { strimziLikePut } from './strimzi-like.ts'

const CONNECTORS = 50
const TIMEOUT_MS = 180_000

export interface ConnectRun {
  requests: number
  conflicts: number
  failed: number
  running: number
  convergedMs: number
  /** From the last worker change (the end of the storm) until every connector was RUNNING; 0 if they were before. */
  afterStormMs: number
}

function configs (dir: string, round: number): Array<[string, Record<string, string>]> {
  return Array.from({ length: CONNECTORS }, (_, i) => [`incident-${i}`, {
    'connector.class': 'org.apache.kafka.connect.file.FileStreamSourceConnector',
    'tasks.max': '1',
    file: join(dir, `in-${i}.txt`),
    topic: `incident-connect-${i}`,
    'steadfast.bench.round': String(round),
  }])
}

function manifests (dir: string, round: number): ConnectorManifest[] {
  return configs(dir, round).map(([name, config], i) => {
    const { 'connector.class': cls, 'tasks.max': tasks, ...rest } = config
    return { name, class: cls as string, tasksMax: Number(tasks), config: rest, state: 'running', autoRestart: { enabled: false }, labels: {}, source: { file: 'bench', document: i + 1 } }
  })
}

/** Counts the HTTP requests undici sends (global fetch and undici.request alike) and their 409s. */
function countRequests (): { stop: () => { requests: number, conflicts: number } } {
  let requests = 0
  let conflicts = 0
  const onCreate = (): void => { requests++ }
  const onHeaders = (message: unknown): void => { if ((message as { response?: { statusCode?: number } }).response?.statusCode === 409) conflicts++ }
  subscribe('undici:request:create', onCreate)
  subscribe('undici:request:headers', onHeaders)
  return {
    stop: () => {
      unsubscribe('undici:request:create', onCreate)
      unsubscribe('undici:request:headers', onHeaders)
      return { requests, conflicts }
    },
  }
}

async function allRunning (urls: string[], names: string[]): Promise<number> {
  let running = 0
  for (const name of names) {
    try {
      const response = await fetch(`${urls[0] as string}/connectors/${name}/status`)
      const body = await response.json() as { connector?: { state?: string }, tasks?: Array<{ state?: string }> }
      if (body.connector?.state === 'RUNNING' && (body.tasks ?? []).length > 0 && (body.tasks ?? []).every((t) => t.state === 'RUNNING')) running++
    } catch {
      // not answering yet: counts as not running
    }
  }
  return running
}

/** Workers join and leave while the apply runs: one added, one killed, one stopped. */
async function churn (connect: RealConnect): Promise<void> {
  const live = (): number[] => connect.workers.filter((w) => w.running).map((w) => w.index)
  await connect.addWorker()
  await connect.killWorker(live()[0] as number)
  await connect.addWorker()
  await connect.stopWorker(live()[0] as number)
}

export async function connectSide (cluster: RealCluster, side: 'strimzi' | 'steadfast'): Promise<ConnectRun> {
  const dir = mkdtempSync(join(tmpdir(), 'steadfast-incident-connect-'))
  const connect = await RealConnect.start({ cluster, workers: 3 })
  const logger = createLogger({ level: 'silent' })
  const counter = countRequests()
  const started = performance.now()
  let failed = 0
  let stormEndedAt = started
  try {
    for (const round of [0, 1]) {
      // Both sides get the workers running when the round starts (as a client configured with a
      // worker list would); the churn then kills and stops some of them under the apply.
      const urls = connect.urls
      const changes = churn(connect).then(() => { stormEndedAt = performance.now() })
      if (side === 'strimzi') {
        const results = await Promise.all(configs(dir, round).map(async ([name, config]) => await strimziLikePut(urls, name, config)))
        failed += results.filter((ok) => !ok).length
      } else {
        const client = new ConnectClient({ urls, logger })
        try {
          const result = await new Reconciler({ client, concurrency: 16, logger }).converge(manifests(dir, round), { intervalMs: 500, timeoutMs: TIMEOUT_MS })
          if (!result.ready) failed += CONNECTORS
        } catch {
          failed += CONNECTORS
        } finally {
          await client.close()
        }
      }
      await changes
    }
    const names = configs(dir, 0).map(([name]) => name)
    let running = 0
    while (performance.now() - started < TIMEOUT_MS) {
      running = await allRunning(connect.urls, names)
      if (running === CONNECTORS) break
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    const { requests, conflicts } = counter.stop()
    const now = performance.now()
    return { requests, conflicts, failed, running, convergedMs: now - started, afterStormMs: Math.max(0, now - stormEndedAt) }
  } finally {
    counter.stop()
    await connect.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
