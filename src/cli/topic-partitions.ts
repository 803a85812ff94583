/**
 * Arguments naming topics and partitions and points in time, as the admin commands take them:
 * `orders` (every partition) or `orders:0,2`; `earliest`, `latest`, an ISO date or epoch milliseconds.
 */
import type { OffsetSpec } from '../admin/offsets.ts'
import type { TopicPartitions } from '../admin/groups.ts'
import { InvalidArgumentError } from '../resilience/errors.ts'

export function parseTopicPartitions (text: string, what: string): TopicPartitions {
  const colon = text.lastIndexOf(':')
  if (colon < 0) return { topic: text }
  const topic = text.slice(0, colon)
  const list = text.slice(colon + 1).split(',')
  if (topic === '' || list.some((p) => !/^\d+$/.test(p))) throw new InvalidArgumentError(`${what}: "${text}" is not <topic> or <topic>:<partition>[,<partition>…]`)
  return { topic, partitions: list.map(Number) }
}

/** `earliest`, `latest`, epoch milliseconds (as kcat -Q takes them) or an ISO 8601 date with its zone. */
export function parseOffsetSpec (text: string, what: string): OffsetSpec {
  if (text === 'earliest' || text === 'latest') return text
  if (/^\d+$/.test(text)) return { timestamp: Number(text) }
  const ms = /\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(text) ? Date.parse(text) : NaN
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`${what}: "${text}" is not earliest, latest, epoch milliseconds or an ISO date with a zone (2026-12-01T10:00:00Z)`)
  return { timestamp: ms }
}
