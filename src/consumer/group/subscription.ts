/**
 * What a group member subscribes to: topic names and patterns. A pattern (a RegExp, as KafkaJS
 * takes them; Java's `subscribe(Pattern)`) is matched here, against every topic name a metadata
 * answer lists, internal topics left out (Java's `exclude.internal.topics`), so both group
 * protocols subscribe with plain names. Named topics are subscribed whether they exist or not:
 * one that appears later is assigned once it does.
 *
 * Topics change under a running group: created (matching a pattern, or named before they
 * existed), grown, deleted. The membership looks again every `metadataMaxAgeMs` (`watchTopics`)
 * and, when what it would subscribe or assign with differs, rejoins.
 */
import type { Cluster } from '../../cluster/cluster.ts'
import type { ClusterMetadata } from '../../cluster/metadata.ts'
import type { Logger } from '../../observability/logger.ts'
import { KafkaErrorCode } from '../../resilience/kafka-errors.ts'
import { waitFor } from '../notifier.ts'

/** A topic name, or a pattern matched against every topic's name. */
export type TopicSelector = string | RegExp

export class TopicSubscription {
  readonly #names: string[]
  readonly #patterns: RegExp[]
  #topics: string[]

  constructor (selectors: readonly TopicSelector[]) {
    this.#names = [...new Set(selectors.filter((s): s is string => typeof s === 'string'))].sort()
    this.#patterns = selectors.filter((s): s is RegExp => s instanceof RegExp)
    this.#topics = this.#names
  }

  /** The topics subscribed now: the names given, and what the patterns matched at the last look. Sorted. */
  get topics (): string[] {
    return this.#topics
  }

  get hasPatterns (): boolean {
    return this.#patterns.length > 0
  }

  /** Matches the patterns against fresh metadata for every topic; true when the subscribed topics changed. */
  async refresh (cluster: Cluster): Promise<boolean> {
    if (!this.hasPatterns) return false
    const metadata = await cluster.refreshMetadata()
    const matched = [...metadata.topics.values()]
      .filter((t) => !t.isInternal && t.errorCode === KafkaErrorCode.NONE && this.#patterns.some((p) => matches(p, t.name)))
      .map((t) => t.name)
    const next = [...new Set([...this.#names, ...matched])].sort()
    const changed = next.join('\u0000') !== this.#topics.join('\u0000')
    this.#topics = next
    return changed
  }
}

/** A stateful (global or sticky) RegExp would answer by its last match: test a fresh copy. */
function matches (pattern: RegExp, name: string): boolean {
  return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')).test(name)
}

/** Each topic's partition count as metadata gives it; 0 for a topic that does not exist (yet, or any more). */
export function partitionCounts (metadata: ClusterMetadata, topics: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const topic of topics) {
    const info = metadata.topics.get(topic)
    counts.set(topic, info !== undefined && info.errorCode === KafkaErrorCode.NONE ? info.partitions.length : 0)
  }
  return counts
}

export function sameCounts (a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  return a.size === b.size && [...a].every(([topic, count]) => b.get(topic) === count)
}

/**
 * Every `intervalMs` until `signal` aborts: asks `changed` (which looks at metadata) and, when it
 * names a reason, hands it to `rejoin`. A look that fails is logged and tried at the next interval.
 */
export async function watchTopics (intervalMs: number, signal: AbortSignal, logger: Logger, changed: () => Promise<string | undefined>, rejoin: (reason: string) => void): Promise<void> {
  while (!signal.aborted) {
    await waitFor(new Promise(() => {}), intervalMs, signal)
    if (signal.aborted) return
    try {
      const reason = await changed()
      if (reason !== undefined && !signal.aborted) rejoin(reason)
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'looking for changed topics failed; trying again later')
    }
  }
}
