/**
 * Which connectors the reconciler created, and its auto-restart bookkeeping, kept outside Connect.
 *
 * Why not a marker key in the connector's config (`steadfast.managed-by: …`)? Connect hands the
 * whole config to the connector's own validation, and connectors that validate strictly reject
 * keys they do not know; a marker would also show up as config drift to every other tool. Names
 * are the users' to choose, so a naming convention is not ours to impose either. A local ledger
 * changes nothing in Connect, and it fails safe: a lost ledger only means nothing is considered
 * managed, so nothing is deleted. The ledger is bound to one Connect cluster (its Kafka cluster id);
 * pointing it at another cluster is refused rather than deleting that cluster's connectors.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { z } from 'zod'
import { InvalidArgumentError } from '../resilience/errors.ts'

export interface RestartBook {
  /** Auto-restarts made since the connector was last healthy for a whole interval. */
  count: number
  /** Clock time of the last auto-restart (ms). */
  lastAt: number
}

export interface OwnershipState {
  /** The Kafka cluster id of the Connect cluster this ledger belongs to. */
  clusterId: string | undefined
  /** Connectors this reconciler created, with their creation time. */
  managed: Record<string, { createdAt: number }>
  /**
   * Creates sent whose outcome is not known yet (the answer may be lost after Connect applied it).
   * The next pass adopts the connector if it exists and drops the mark if it does not.
   */
  pending: Record<string, { requestedAt: number }>
  restarts: Record<string, RestartBook>
  /**
   * The rebalance grace's bookkeeping (rebalance-grace.ts): connectors seen Ready, and since when
   * a worker-group rebalance has been moving them. Kept here so the grace continues across a
   * restart, a config reload or an HA take-over instead of starting afresh in each process.
   */
  grace: Record<string, GraceEpisode>
}

export interface GraceEpisode {
  /** Clock time (ms) the connector was first seen Ready in this stretch. */
  readyAt: number
  /** Clock time (ms) a pass first saw the current reassignment. */
  movingSince?: number
}

export interface OwnershipStore {
  load: () => Promise<OwnershipState>
  save: (state: OwnershipState) => Promise<void>
}

export function emptyOwnership (): OwnershipState {
  return { clusterId: undefined, managed: {}, pending: {}, restarts: {}, grace: {} }
}

const stateSchema = z.object({
  version: z.literal(1),
  clusterId: z.string().optional(),
  managed: z.record(z.string(), z.object({ createdAt: z.number() })),
  pending: z.record(z.string(), z.object({ requestedAt: z.number() })).optional(),
  restarts: z.record(z.string(), z.object({ count: z.number().int().min(0), lastAt: z.number() })),
  grace: z.record(z.string(), z.object({ readyAt: z.number(), movingSince: z.number().optional() })).optional(),
})

/** In memory, for tests and for callers that keep state elsewhere. */
export class MemoryOwnershipStore implements OwnershipStore {
  #state: OwnershipState
  constructor (initial: OwnershipState = emptyOwnership()) { this.#state = structuredClone(initial) }
  async load (): Promise<OwnershipState> { return structuredClone(this.#state) }
  async save (state: OwnershipState): Promise<void> { this.#state = structuredClone(state) }
}

/** A JSON file, replaced atomically (write to a temporary file, then rename). */
export class FileOwnershipStore implements OwnershipStore {
  readonly path: string
  constructor (path: string) { this.path = path }

  async load (): Promise<OwnershipState> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return emptyOwnership()
      throw new InvalidArgumentError(`connect state file ${this.path}: cannot read it: ${(error as Error).message}`, { cause: error })
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (error) {
      throw new InvalidArgumentError(`connect state file ${this.path}: not JSON: ${(error as Error).message}`, { cause: error })
    }
    const result = stateSchema.safeParse(parsed)
    if (!result.success) {
      const first = result.error.issues[0]
      throw new InvalidArgumentError(`connect state file ${this.path}: ${first?.path.join('.') ?? ''}: ${first?.message ?? 'invalid'}`)
    }
    return { clusterId: result.data.clusterId, managed: result.data.managed, pending: result.data.pending ?? {}, restarts: result.data.restarts, grace: result.data.grace ?? {} }
  }

  async save (state: OwnershipState): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true })
    const tmp = `${this.path}.${process.pid}.tmp`
    const body = { version: 1, ...(state.clusterId === undefined ? {} : { clusterId: state.clusterId }), managed: state.managed, pending: state.pending, restarts: state.restarts, grace: state.grace }
    await writeFile(tmp, JSON.stringify(body, null, 2) + '\n', 'utf8')
    await rename(tmp, this.path)
  }
}
