/**
 * One process-wide concurrency limiter per Cruise Control (keyed by its base URL), shared by every
 * client in the process. Cruise Control refuses new requests once `max.active.user.tasks` tasks are
 * active, so steadfast keeps its own concurrent requests at `maxActiveUserTasks - 1`: one slot stays
 * free for other users (an operator's curl, the Cruise Control UI). Slots stay taken on the server
 * until its scanner runs, so the limiter alone cannot prevent the capacity 500: the retry loop
 * still retries it with backoff.
 */
import { Bulkhead } from '../resilience/bulkhead.ts'
import { InvalidArgumentError } from '../resilience/errors.ts'

export const DEFAULT_MAX_ACTIVE_USER_TASKS = 5

const limiters = new Map<string, Bulkhead>()

/** How many requests steadfast runs at once against a server with this many user-task slots. */
export function concurrencyFor (maxActiveUserTasks: number): number {
  if (!Number.isInteger(maxActiveUserTasks) || maxActiveUserTasks < 1) {
    throw new InvalidArgumentError(`cruise-control maxActiveUserTasks must be an integer >= 1, got ${maxActiveUserTasks}`)
  }
  return Math.max(1, maxActiveUserTasks - 1)
}

/** The limiter for `baseUrl`; every client of the same Cruise Control must agree on its size. */
export function limiterFor (baseUrl: string, maxActiveUserTasks: number): Bulkhead {
  const maxConcurrent = concurrencyFor(maxActiveUserTasks)
  const existing = limiters.get(baseUrl)
  if (existing !== undefined) {
    if (existing.maxConcurrent !== maxConcurrent) {
      throw new InvalidArgumentError(`cruise-control ${baseUrl}: maxActiveUserTasks ${maxActiveUserTasks} conflicts with another client of the same server that limits requests to ${existing.maxConcurrent}`)
    }
    return existing
  }
  const limiter = new Bulkhead({ name: `cruise-control ${baseUrl}`, maxConcurrent })
  limiters.set(baseUrl, limiter)
  return limiter
}
