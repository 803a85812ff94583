/**
 * Shared set-up for the Cruise Control tests: a fast simulator (short scanner interval, block time
 * and execution ticks), a quiet client against it, a lifecycle over a temporary state directory,
 * and a scripted server for the answers the simulator never gives.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogger } from '../../src/observability/logger.ts'
import { CruiseControlClient, type CruiseControlClientOptions } from '../../src/cruise-control/client.ts'
import { RebalanceLifecycle, type RebalanceRecord } from '../../src/cruise-control/lifecycle.ts'
import { validateManifest, type RebalanceManifest } from '../../src/cruise-control/manifest.ts'
import { JsonStateStore } from '../../src/cruise-control/state-store.ts'
import { CruiseControlSimulator, type CruiseControlSimulatorOptions } from '../../src/testkit/cruise-control-sim/index.ts'

export const quiet = createLogger({ level: 'silent' })

export const FAST: CruiseControlSimulatorOptions = {
  scanIntervalMs: 50,
  maxBlockTimeMs: 100,
  proposalComputeMs: 20,
  executionTickMs: 20,
  movementsPerTick: 4,
}

export async function startSim (options: CruiseControlSimulatorOptions = {}): Promise<CruiseControlSimulator> {
  return await CruiseControlSimulator.start({ ...FAST, ...options })
}

export function clientFor (sim: CruiseControlSimulator, options: Partial<CruiseControlClientOptions> = {}): CruiseControlClient {
  return new CruiseControlClient({
    url: sim.url,
    logger: quiet,
    pollIntervalMs: 20,
    retry: { initialDelayMs: 20, maxDelayMs: 200, deadlineMs: 20_000 },
    ...options,
  })
}

export async function tempDir (): Promise<{ dir: string, cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'steadfast-cc-'))
  return { dir, cleanup: async () => await rm(dir, { recursive: true, force: true }) }
}

export function lifecycleFor (client: CruiseControlClient, dir: string, options: { completedTaskCache?: number } = {}): RebalanceLifecycle {
  return new RebalanceLifecycle({ client, store: new JsonStateStore<RebalanceRecord>(dir), logger: quiet, ...options })
}

export function manifest (name: string, spec: Record<string, unknown> = {}, annotations?: Record<string, string>): RebalanceManifest {
  return validateManifest({ kind: 'KafkaRebalance', metadata: { name, annotations }, spec }, name)
}

/** Polls `check` every 10 ms until it holds; fails after `tries` polls instead of hanging. */
export async function eventually (what: string, check: () => boolean | Promise<boolean>, tries = 500): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`${what}: not reached after ${tries} polls`)
}

export interface ScriptedAnswer {
  status: number
  headers?: Record<string, string>
  body?: unknown
}

export interface SeenRequest {
  method: string
  url: string
  headers: IncomingHttpHeaders
}

/**
 * A stand-in Cruise Control on loopback for answers the simulator never gives (a 202 without its
 * User-Task-ID, a dozen capacity 500s in a row, a request held until the test lets it go):
 * `answer` gets each request and its 0-based number and returns what to answer, or a promise of it.
 */
export async function scriptedServer (answer: (request: SeenRequest, n: number) => ScriptedAnswer | Promise<ScriptedAnswer>): Promise<{ url: string, seen: SeenRequest[], close: () => Promise<void> }> {
  const seen: SeenRequest[] = []
  const server = createServer((req, res) => {
    req.resume()
    const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers }
    seen.push(request)
    Promise.resolve(answer(request, seen.length - 1)).then((a) => {
      if (res.destroyed) return
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers })
      res.end(a.body === undefined ? '' : JSON.stringify(a.body))
    }, (error: unknown) => { res.destroy(error instanceof Error ? error : new Error(String(error))) })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const close = async (): Promise<void> => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close }
}
