/**
 * Incident 2, Cruise Control answers 500 "already N active user tasks" (Strimzi's KafkaRebalance):
 * 20 rebalances driven at once, auto-approved, against the Cruise Control simulator with
 * max.active.user.tasks=5 (Cruise Control itself does not run here: see shared/reference). One
 * simulator per side, same settings: the Strimzi-like client (strimzi-like.ts, polling every
 * 500 ms where Strimzi reconciles every 2 minutes) and steadfast's RebalanceLifecycle. Figures:
 * rebalances ever NotReady, capacity 500s the simulator answered, executions started per
 * rebalance, time until every rebalance settled, most requests in flight.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CruiseControlClient } from '../../../src/cruise-control/client.ts'
import { RebalanceLifecycle, type RebalanceRecord } from '../../../src/cruise-control/lifecycle.ts'
import { validateManifest } from '../../../src/cruise-control/manifest.ts'
import { JsonStateStore } from '../../../src/cruise-control/state-store.ts'
import { createLogger } from '../../../src/observability/logger.ts'
import { CruiseControlSimulator } from '../../../src/testkit/cruise-control-sim/index.ts'
import { strimziLikeRebalance } from './strimzi-like.ts'

const REBALANCES = 20
const TIMEOUT_MS = 120_000
const SIM = { maxActiveUserTasks: 5, scanIntervalMs: 500, maxBlockTimeMs: 200, proposalComputeMs: 300, executionTickMs: 100, movementsPerTick: 5, maxCachedCompletedTasks: 500 }

export interface CapacityRun {
  notReady: number
  ready: number
  capacity500s: number
  executions: number
  maxExecutionsPerRebalance: number
  settledMs: number
  maxInFlight: number
}

function summarise (sim: CruiseControlSimulator, notReady: number, ready: number, settledMs: number): CapacityRun {
  const perTask = new Map<string, number>()
  for (const e of sim.executions) perTask.set(e.userTaskId, (perTask.get(e.userTaskId) ?? 0) + 1)
  return {
    notReady,
    ready,
    capacity500s: sim.capacityRejections,
    executions: sim.executions.length,
    maxExecutionsPerRebalance: Math.max(0, ...perTask.values()),
    settledMs,
    maxInFlight: sim.maxInFlight,
  }
}

export async function strimziSide (): Promise<CapacityRun> {
  const sim = await CruiseControlSimulator.start(SIM)
  try {
    const started = performance.now()
    const outcomes = await Promise.all(Array.from({ length: REBALANCES }, async () => await strimziLikeRebalance(sim.url, 500, TIMEOUT_MS)))
    return summarise(sim, outcomes.filter((o) => o.everNotReady).length, outcomes.filter((o) => o.state === 'Ready').length, performance.now() - started)
  } finally {
    await sim.stop()
  }
}

export async function steadfastSide (): Promise<CapacityRun> {
  const sim = await CruiseControlSimulator.start(SIM)
  const dir = await mkdtemp(join(tmpdir(), 'steadfast-incident-cc-'))
  const logger = createLogger({ level: 'silent' })
  const client = new CruiseControlClient({ url: sim.url, logger, maxActiveUserTasks: 5 })
  try {
    const started = performance.now()
    const finals = await Promise.all(Array.from({ length: REBALANCES }, async (_, i): Promise<RebalanceRecord> => {
      const lifecycle = new RebalanceLifecycle({ client, store: new JsonStateStore<RebalanceRecord>(dir), logger, completedTaskCache: SIM.maxCachedCompletedTasks })
      const name = `incident-rb-${i}`
      await lifecycle.create(validateManifest({ kind: 'KafkaRebalance', metadata: { name }, spec: { mode: 'full', autoApproval: true } }, name))
      try {
        return await lifecycle.settle(name, { intervalMs: 200, timeoutMs: TIMEOUT_MS })
      } catch {
        return await lifecycle.get(name)
      }
    }))
    const notReady = finals.filter((r) => r.history.some((h) => h.state === 'NotReady') || r.state === 'NotReady').length
    return summarise(sim, notReady, finals.filter((r) => r.state === 'Ready').length, performance.now() - started)
  } finally {
    await client.close()
    await sim.stop()
    await rm(dir, { recursive: true, force: true })
  }
}
