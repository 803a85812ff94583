/**
 * One apply of declared connectors by steadfast's Reconciler through the Connect simulator, with
 * or without a rebalance storm (rebalances of 800 ms, 100 ms apart, from the start): bench/connect
 * compares retry policies with it, and the incidents bench (incident 1) judges issue 18's Connect
 * target with it as the issue states it: 100 connectors through a 10 s storm converge within the
 * storm's end + 2 s, with no more than 1.5× the requests of a storm-free apply of the same ones.
 */
import { ConnectClient } from '../../src/connect/client.ts'
import type { ConnectorManifest } from '../../src/connect/manifest.ts'
import { Reconciler } from '../../src/connect/reconciler.ts'
import { createLogger } from '../../src/observability/logger.ts'
import type { BackoffPolicy } from '../../src/resilience/backoff.ts'
import { ConnectSimulator } from '../../src/testkit/connect-sim/simulator.ts'

export const REBALANCE_MS = 800
export const GAP_MS = 100
const logger = createLogger({ level: 'silent' })

export interface StormApply {
  ready: boolean
  /** From the start of the apply (and of the storm) until every connector was as declared. */
  ms: number
  /** From the storm's end (its last rebalance over) until converged; 0 when it converged first or there was no storm. */
  afterStormMs: number
  requests: number
  conflicts: number
  /** The most writes in flight at once for one connector (never more than 1 is the reconciler's rule). */
  maxInFlight: number
}

function manifests (count: number): ConnectorManifest[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `bench-${String(i).padStart(3, '0')}`,
    class: 'org.apache.kafka.connect.file.FileStreamSourceConnector',
    tasksMax: 1 + (i % 3),
    config: { topic: `bench-${i}` },
    state: (['running', 'paused', 'stopped'] as const)[i % 3] ?? 'running',
    autoRestart: { enabled: false },
    labels: {},
    source: { file: 'bench', document: i + 1 },
  }))
}

/** `stormMs` 0: no storm. `policy`: the Connect client's retry policy (default: its own); `rebalanceProbeMs: false`: without the rebalance gate. */
export async function stormApply (options: { count: number, stormMs: number, policy?: Partial<BackoffPolicy>, rebalanceProbeMs?: false }): Promise<StormApply> {
  const declared = manifests(options.count)
  const sim = await ConnectSimulator.start({ workers: 3, rebalanceMs: 50, restartMs: 20 })
  // Through the followers, as most callers reach a worker: a write then stays in flight for the
  // forward to the leader, so overlapping writes to one connector would show in maxInFlight.
  const client = new ConnectClient({ urls: sim.urls.filter((u) => u !== sim.leaderUrl), policy: options.policy ?? {}, logger, ...(options.rebalanceProbeMs === undefined ? {} : { rebalanceProbeMs: options.rebalanceProbeMs }) })
  try {
    const reconciler = new Reconciler({ client, concurrency: 16, logger })
    const start = performance.now()
    let stormEndedAt = start
    const storm = options.stormMs > 0
      ? sim.storm({ durationMs: options.stormMs, rebalanceMs: REBALANCE_MS, gapMs: GAP_MS }).then(async () => {
        // The simulator ends a storm at its duration; a rebalance under way then runs its course.
        while (sim.group.rebalancing) await new Promise((resolve) => setTimeout(resolve, 10))
        stormEndedAt = performance.now()
      })
      : Promise.resolve()
    const result = await reconciler.converge(declared, { intervalMs: 250, timeoutMs: options.stormMs + 120_000 })
    const end = performance.now()
    sim.stopStorm()
    await storm
    return {
      ready: result.ready,
      ms: end - start,
      afterStormMs: Math.max(0, end - stormEndedAt),
      requests: sim.countRequests(),
      conflicts: sim.countRequests({ status: 409 }),
      maxInFlight: Math.max(...declared.map((m) => sim.maxConcurrentWrites(m.name))),
    }
  } finally {
    await client.close()
    await sim.stop()
  }
}
