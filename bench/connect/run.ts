/**
 * Incident I1, measured: 100 declared connectors applied while the Connect worker group goes
 * through a rebalance storm. For the same storm against the same simulator, side by side:
 * steadfast's Connect policy (200 ms doubling, capped at 5 s, equal jitter, 30 attempts, 60 s
 * deadline) and a Strimzi-like schedule (200 ms doubling without cap or jitter, 10 attempts, no
 * deadline). Printed: requests issued (and how many were 409s), time to converge, next to the
 * storm length. Run: node --import tsx bench/connect/run.ts [stormSeconds] [connectors]
 */
import { ConnectClient } from '../../src/connect/client.ts'
import type { ConnectorManifest } from '../../src/connect/manifest.ts'
import { Reconciler } from '../../src/connect/reconciler.ts'
import { createLogger } from '../../src/observability/logger.ts'
import type { BackoffPolicy } from '../../src/resilience/backoff.ts'
import { ConnectSimulator } from '../../src/testkit/connect-sim/simulator.ts'

const stormMs = Number(process.argv[2] ?? 10) * 1000
const count = Number(process.argv[3] ?? 100)
const REBALANCE_MS = 800
const GAP_MS = 100
const logger = createLogger({ level: 'silent' })

const manifests: ConnectorManifest[] = Array.from({ length: count }, (_, i) => ({
  name: `bench-${String(i).padStart(3, '0')}`,
  class: 'org.apache.kafka.connect.file.FileStreamSourceConnector',
  tasksMax: 1 + (i % 3),
  config: { topic: `bench-${i}` },
  state: (['running', 'paused', 'stopped'] as const)[i % 3] ?? 'running',
  autoRestart: { enabled: false },
  labels: {},
  source: { file: 'bench', document: i + 1 },
}))

interface Outcome { name: string, ready: boolean, ms: number, requests: number, conflicts: number, maxInFlight: number }

async function run (name: string, policy: Partial<BackoffPolicy>): Promise<Outcome> {
  const sim = await ConnectSimulator.start({ workers: 3, rebalanceMs: 50, restartMs: 20 })
  // Through the followers, as most callers reach a worker: a write then stays in flight for the
  // forward to the leader, so overlapping writes to one connector would show in the last column.
  const client = new ConnectClient({ urls: sim.urls.filter((u) => u !== sim.leaderUrl), policy, logger })
  try {
    const reconciler = new Reconciler({ client, concurrency: 16, logger })
    const storm = sim.storm({ durationMs: stormMs, rebalanceMs: REBALANCE_MS, gapMs: GAP_MS })
    const start = performance.now()
    const result = await reconciler.converge(manifests, { intervalMs: 250, timeoutMs: stormMs + 120_000 })
    const ms = performance.now() - start
    sim.stopStorm()
    await storm
    return {
      name,
      ready: result.ready,
      ms,
      requests: sim.countRequests(),
      conflicts: sim.countRequests({ status: 409 }),
      maxInFlight: Math.max(...manifests.map((m) => sim.maxConcurrentWrites(m.name))),
    }
  } finally {
    await client.close()
    await sim.stop()
  }
}

const outcomes = [
  await run('steadfast (Connect default policy)', {}),
  await run('Strimzi-like schedule', { initialDelayMs: 200, multiplier: 2, maxDelayMs: 102_400, jitter: 'none', maxAttempts: 10, deadlineMs: undefined }),
]

console.log(`${count} connectors, rebalance storm of ${stormMs / 1000} s (rebalances of ${REBALANCE_MS} ms, ${GAP_MS} ms apart), 3 workers`)
console.log(['approach'.padEnd(36), 'ready', 'converge s', 'vs storm', 'requests', '409s', 'max writes/connector'].join('  '))
for (const o of outcomes) {
  console.log([o.name.padEnd(36), String(o.ready).padEnd(5), (o.ms / 1000).toFixed(2).padStart(10), `${(o.ms / stormMs).toFixed(2)}x`.padStart(8), String(o.requests).padStart(8), String(o.conflicts).padStart(4), String(o.maxInFlight).padStart(20)].join('  '))
}
const [ours, theirs] = outcomes
if (ours !== undefined && theirs !== undefined) {
  console.log(`ratio steadfast / Strimzi-like: time ${(ours.ms / theirs.ms).toFixed(2)}, requests ${(ours.requests / theirs.requests).toFixed(2)}`)
}
