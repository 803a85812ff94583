/** Topic specs: `{ name, partitions, replicationFactor }`, and the CLI's `name:partitions:rf` form. */
import { InvalidArgumentError } from '../../resilience/errors.ts'

export interface TopicSpec {
  name: string
  /** Default 1. */
  partitions?: number
  /** Default: the broker count, at most 3. */
  replicationFactor?: number
}

/** Parses `name`, `name:partitions` or `name:partitions:replicationFactor`. */
export function parseTopicSpec (text: string, where = '--topic'): TopicSpec {
  const parts = text.split(':')
  const [name = '', partitions, rf] = parts
  if (parts.length > 3 || name === '') {
    throw new InvalidArgumentError(`${where}: "${text}" is not a topic spec (expected name[:partitions[:replicationFactor]], e.g. orders:3:3)`)
  }
  const count = (value: string | undefined, what: string): number | undefined => {
    if (value === undefined) return undefined
    if (!/^[1-9]\d{0,4}$/.test(value)) {
      throw new InvalidArgumentError(`${where}: "${text}": ${what} must be a positive integer, got "${value}"`)
    }
    return Number(value)
  }
  const spec: TopicSpec = { name }
  const p = count(partitions, 'partitions')
  const r = count(rf, 'replication factor')
  if (p !== undefined) spec.partitions = p
  if (r !== undefined) spec.replicationFactor = r
  return spec
}
