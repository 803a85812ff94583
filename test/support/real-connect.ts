/**
 * Shared by the tests that run real Kafka Connect workers: plain-fetch REST calls (independent of
 * steadfast's Connect client) and a bounded poll for states only visible by asking again.
 */

export interface ConnectorStatusBody {
  connector: { state: string, worker_id: string }
  tasks: Array<{ id: number, state: string, worker_id: string }>
}

export async function rest (url: string, method = 'GET', body?: unknown): Promise<{ status: number, body: unknown }> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  })
  const text = await response.text()
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) }
}

/** Asks `check` every 250 ms, at most `attempts` times, until it returns a value; fails naming `what` and the last error. */
export async function poll<T> (what: string, check: () => Promise<T | undefined>, attempts = 480): Promise<T> {
  let last: unknown
  for (let i = 0; i < attempts; i++) {
    try {
      const value = await check()
      if (value !== undefined) return value
    } catch (error) {
      last = error
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`${what}: not reached after ${attempts} checks${last === undefined ? '' : ` (last error: ${String(last)})`}`)
}

/** A worker URL as Connect names the worker in statuses (`worker_id`): host:port. */
export const hostPort = (url: string): string => new URL(url).host
