/**
 * Worker discovery for the Connect client. Connect has no endpoint listing the group's members,
 * but every status names the worker running each connector and task: `worker_id`, the worker's
 * advertised REST `host:port` (the address the workers forward requests to each other on). With
 * `discoverWorkers`, each full status read (`GET /connectors?expand=status`) replaces the URLs the
 * transport learned with those workers, so when every configured URL is gone the client still
 * reaches the group; the fault policy decides, as for configured URLs, when a request may move
 * on to the next one (faults.ts, failOver).
 *
 * A learned URL takes the scheme, userinfo and path prefix of the first configured URL and the
 * client's TLS options and basic auth. Off by default: a `worker_id` is whatever the status topic holds,
 * and credentials should go only to hosts the operator named (with https, the certificate check
 * still applies). Workers running nothing do not appear in statuses and are not learned.
 */
import type { ExpandedConnector } from './types.ts'

/** Most URLs learned at once: a bound against a status topic full of stale or odd worker ids. */
export const MAX_LEARNED_WORKERS = 32

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/

/** The worker URLs named by a full status read, built on the first configured URL's scheme, userinfo and path. */
export function workerUrls (connectors: Record<string, ExpandedConnector>, template: string): string[] {
  const base = new URL(template)
  const path = base.pathname.replace(/\/+$/, '')
  const userinfo = base.username === '' ? '' : `${base.username}${base.password === '' ? '' : `:${base.password}`}@`
  const ids = new Set<string>()
  for (const c of Object.values(connectors)) {
    const status = c.status
    if (status === undefined) continue
    for (const id of [status.connector.worker_id, ...status.tasks.map((t) => t.worker_id)]) {
      if (typeof id === 'string' && HOST_PORT.test(id)) ids.add(id)
    }
  }
  return [...ids].sort().slice(0, MAX_LEARNED_WORKERS).map((id) => `${base.protocol}//${userinfo}${id}${path}`)
}
