/**
 * The agent's state in Kafka when HA is on: every record and annotation mark the state database
 * holds is also written to a compacted topic of one partition (key: the row's identity as a JSON
 * array, value: its JSON, a tombstone for a delete), acknowledged by the in-sync replicas before
 * the write returns and before the local row changes. An agent that takes the lease over rebuilds
 * its database from the topic before it acts, so it follows the same User-Task-IDs, the same
 * connector ledger and the same carried-out annotations as the agent it replaces. Events stay
 * local (they are each agent's own log).
 */
import { Admin } from '../../admin/admin.ts'
import { AdminError } from '../../admin/errors.ts'
import type { Cluster } from '../../cluster/cluster.ts'
import { Consumer } from '../../consumer/consumer.ts'
import type { Logger } from '../../observability/logger.ts'
import { Producer } from '../../producer/producer.ts'
import type { StateDatabase } from '../state/database.ts'

/** A row of the state database: a named record of a kind, or an annotation mark. */
export type StateKey = readonly ['record', kind: string, name: string] | readonly ['mark', kind: string, name: string, annotation: string]

/** Where the stores send each change before making it locally. */
export interface StateReplica {
  write: (key: StateKey, value: string | null) => Promise<void>
}

export interface StateTopicOptions {
  cluster: Cluster
  topic: string
  logger: Logger
}

export class StateTopic implements StateReplica {
  readonly topic: string
  readonly #cluster: Cluster
  readonly #logger: Logger
  readonly #admin: Admin
  readonly #producer: Producer

  constructor (options: StateTopicOptions) {
    this.topic = options.topic
    this.#cluster = options.cluster
    this.#logger = options.logger
    this.#admin = new Admin({ cluster: options.cluster, logger: options.logger })
    this.#producer = new Producer({ cluster: options.cluster, logger: options.logger, acks: 'all' })
  }

  /** Creates the topic when it is missing: one partition, compacted, replicated up to three times. */
  async ensure (): Promise<void> {
    const brokers = (await this.#cluster.metadata([])).brokers.size
    const replicationFactor = Math.min(3, brokers)
    try {
      await this.#admin.createTopics([{
        name: this.topic,
        partitions: 1,
        replicationFactor,
        configs: { 'cleanup.policy': 'compact', 'min.insync.replicas': String(Math.min(2, replicationFactor)) },
      }])
      this.#logger.info({ topic: this.topic, replicationFactor }, 'HA state topic created')
    } catch (error) {
      if (!(error instanceof AdminError && error.errorName === 'TOPIC_ALREADY_EXISTS')) throw error
    }
  }

  async write (key: StateKey, value: string | null): Promise<void> {
    await this.#producer.send({ topic: this.topic, partition: 0, key: JSON.stringify(key), value })
  }

  /**
   * Replaces the database's records and marks with the topic's newest value per key (read from
   * the start to the end offset found first). Returns how many rows the database holds after.
   */
  async restore (db: StateDatabase): Promise<number> {
    const tp = { topic: this.topic, partition: 0 }
    const [earliest] = await this.#admin.listOffsets([{ topic: this.topic, partitions: [0] }], 'earliest')
    const [latest] = await this.#admin.listOffsets([{ topic: this.topic, partitions: [0] }], 'latest')
    const end = latest?.offset ?? 0n
    const rows = new Map<string, string | null>()
    if (end > (earliest?.offset ?? 0n)) {
      const reader = new Consumer({ cluster: this.#cluster, logger: this.#logger, autoOffsetReset: 'earliest' })
      try {
        await reader.assign([tp])
        await reader.seek(tp, 'earliest')
        for await (const m of reader) {
          rows.set(m.key?.toString() ?? '', m.value === null ? null : m.value.toString())
          if (m.offset >= end - 1n) break
        }
      } finally {
        await reader.close()
      }
    }
    const now = new Date().toISOString()
    const apply = db.transaction(() => {
      db.prepare('DELETE FROM records').run()
      db.prepare('DELETE FROM marks').run()
      const record = db.prepare('INSERT INTO records (kind, name, body, updated_at) VALUES (?, ?, ?, ?)')
      const mark = db.prepare('INSERT INTO marks (kind, name, annotation, value, at) VALUES (?, ?, ?, ?, ?)')
      let count = 0
      for (const [raw, value] of rows) {
        if (value === null) continue
        const key = parseKey(raw)
        if (key === undefined) {
          this.#logger.warn({ topic: this.topic, key: raw }, 'HA state topic: a record with an unknown key was skipped')
          continue
        }
        if (key[0] === 'record') record.run(key[1], key[2], value, now)
        else mark.run(key[1], key[2], key[3], value, now)
        count++
      }
      return count
    })
    return apply()
  }

  async close (): Promise<void> {
    await this.#producer.close()
    await this.#admin.close()
  }
}

function parseKey (raw: string): StateKey | undefined {
  try {
    const key = JSON.parse(raw) as unknown
    if (!Array.isArray(key) || !key.every((k) => typeof k === 'string')) return undefined
    if (key[0] === 'record' && key.length === 3) return key as unknown as StateKey
    if (key[0] === 'mark' && key.length === 4) return key as unknown as StateKey
    return undefined
  } catch {
    return undefined
  }
}
