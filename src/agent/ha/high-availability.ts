/**
 * HA as the agent uses it: one Kafka cluster client shared by the state topic (replica of the
 * state database) and the lease (which agent acts). The agent hands it what to do on becoming
 * active (restore the state from the topic, then start its loops) and on becoming a standby.
 */
import { Cluster } from '../../cluster/cluster.ts'
import type { Logger } from '../../observability/logger.ts'
import type { AgentConfig } from '../config.ts'
import { kafkaClientOptions } from '../kafka-clients.ts'
import { Lease } from './lease.ts'
import { StateTopic } from './state-topic.ts'

export type AgentRole = 'single' | 'active' | 'standby'

export class HighAvailability {
  readonly group: string
  readonly replica: StateTopic
  readonly #cluster: Cluster
  readonly #config: NonNullable<AgentConfig['ha']>
  readonly #logger: Logger
  readonly #clientId: string
  #lease: Lease | undefined

  private constructor (config: NonNullable<AgentConfig['ha']>, cluster: Cluster, clientId: string, logger: Logger) {
    this.group = config.group
    this.#clientId = clientId
    this.#config = config
    this.#cluster = cluster
    this.#logger = logger
    this.replica = new StateTopic({ cluster, topic: config.topic, logger })
  }

  /** Connects and makes sure the state topic exists; nothing is active until `start`. */
  static async open (config: AgentConfig, logger: Logger): Promise<HighAvailability> {
    if (config.ha === undefined || config.kafka === undefined) throw new Error('HighAvailability needs ha and kafka in the config')
    const cluster = new Cluster({ ...kafkaClientOptions(config.kafka), logger })
    const ha = new HighAvailability(config.ha, cluster, config.kafka.clientId, logger)
    try {
      await ha.replica.ensure()
    } catch (error) {
      await cluster.close()
      throw error
    }
    return ha
  }

  get role (): AgentRole { return this.#lease?.holding === true ? 'active' : 'standby' }
  get since (): string | undefined { return this.#lease?.since }

  start (acquired: () => Promise<void>, released: () => Promise<void>): void {
    this.#lease ??= new Lease({
      cluster: this.#cluster,
      group: this.#config.group,
      topic: this.#config.topic,
      sessionTimeoutMs: this.#config.sessionTimeout,
      clientId: this.#clientId,
      logger: this.#logger,
      acquired,
      released,
    })
    this.#lease.start()
  }

  /** Gives the lease up (the loops stop first), then disconnects. */
  async close (): Promise<void> {
    await this.#lease?.close()
    await this.replica.close()
    await this.#cluster.close()
  }
}
