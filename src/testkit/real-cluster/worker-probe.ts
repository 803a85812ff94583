/**
 * What the rig checks on a Kafka Connect worker group, with plain `fetch` and Kafka's own group
 * view, never with steadfast's Connect client (the code the rig is used to test). A worker is ready
 * when `GET /health` says healthy (the herder's tick thread answered, so the worker is in the group
 * and not mid-rebalance) and `GET /connectors` answers; the group is stable when the coordinator
 * reports it Stable with exactly the expected workers as members.
 */
import type { RealGroup } from './real-cluster.ts'

export interface WorkerProbe {
  ready: boolean
  /** The connectors the worker knows, when it answered. */
  connectors?: string[]
  /** What was seen, for error messages. */
  detail: string
}

export async function probeWorker (url: string, timeoutMs = 5_000): Promise<WorkerProbe> {
  try {
    const health = await fetch(`${url}/health`, { signal: AbortSignal.timeout(timeoutMs) })
    const healthText = await health.text()
    if (health.status !== 200) return { ready: false, detail: `${url}/health answered ${health.status} ${healthText.slice(0, 200)}` }
    const list = await fetch(`${url}/connectors`, { signal: AbortSignal.timeout(timeoutMs) })
    const listText = await list.text()
    if (list.status !== 200) return { ready: false, detail: `${url}/connectors answered ${list.status} ${listText.slice(0, 200)}` }
    const connectors = (JSON.parse(listText) as string[]).sort()
    return { ready: true, connectors, detail: `${url} healthy with ${connectors.length} connector(s)` }
  } catch (error) {
    return { ready: false, detail: `${url} did not answer: ${error instanceof Error ? error.message : String(error)}` }
  }
}

/**
 * The URL a Connect worker put in its group metadata: Connect's protocol (eager v0, cooperative v1
 * and v2 alike) starts with an int16 version and then the URL as an int16-length string.
 */
export function workerUrlOf (metadata: Buffer): string | undefined {
  if (metadata.length < 4) return undefined
  const length = metadata.readInt16BE(2)
  if (length < 0 || metadata.length < 4 + length) return undefined
  return metadata.subarray(4, 4 + length).toString('utf8').replace(/\/+$/, '')
}

/** Undefined when the group is Stable with exactly `urls` as members (or has none, when none are wanted); otherwise what differs. */
export function groupMismatch (group: RealGroup, urls: string[]): string | undefined {
  const members = group.members.map((m) => workerUrlOf(m.metadata) ?? `member ${m.memberId} without a URL`).sort()
  const want = [...urls].sort()
  const same = members.length === want.length && members.every((m, i) => m === want[i])
  // A group with no workers left is Empty (or Dead once its metadata expires), never Stable.
  if (same && (group.state === 'Stable' || want.length === 0)) return undefined
  return `group ${group.state} with members [${members.join(', ')}], want Stable with [${want.join(', ')}]`
}
