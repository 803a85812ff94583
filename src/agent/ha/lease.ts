/**
 * Which of several agents acts: the members of one consumer group subscribe to the HA state topic
 * (one partition), and the member the group gives that partition holds the lease. Kafka's group
 * coordinator is the arbiter, so there is no second source of truth to disagree with it.
 *
 * - An agent that is killed stops heartbeating; the coordinator drops it after the session timeout
 *   and hands the partition to a standby.
 * - An agent cut off from the coordinator gives the lease up by itself once a whole session has
 *   passed without a heartbeat answer (the consumer's session-loss rule), which is when the
 *   coordinator has dropped it too; the two may overlap by up to one heartbeat interval, and the
 *   new holder first rebuilds its state from the topic, which takes longer than that.
 * - The lease stays with the agent that holds it: the members use the cooperative-sticky assignor,
 *   so a standby joining or leaving rebalances the group without taking the partition from its
 *   owner, and the active agent's loops run on through it. (With the range assignor the partition
 *   went to the first member id in order — `<client id>-<uuid>`, the uuid random — so a standby
 *   joining took the lease from the active agent about half the time, mid-work.) Only when the
 *   holder is gone does the group hand the partition to a standby.
 * - Acquiring runs outside the group callback, so restoring state never holds up heartbeats;
 *   releasing is awaited in the revocation, so the loops have stopped before the partition goes.
 *   Acquire and release run one at a time, in order.
 */
import type { Cluster } from '../../cluster/cluster.ts'
import { Consumer } from '../../consumer/consumer.ts'
import { rangeAssignor } from '../../consumer/group/assignors.ts'
import { cooperativeStickyAssignor } from '../../consumer/group/cooperative-sticky.ts'
import type { Logger } from '../../observability/logger.ts'
import { KeyedSerial } from '../../resilience/keyed-serial.ts'

export interface LeaseOptions {
  cluster: Cluster
  group: string
  topic: string
  sessionTimeoutMs: number
  /** The agent's client id; the lease's member counts its metrics as `<clientId>-lease`. */
  clientId: string
  logger: Logger
  /** Called when this agent becomes the active one. A failure releases the lease again (a standby takes over). */
  acquired: () => Promise<void>
  /** Called when this agent stops being the active one; awaited before the lease goes. */
  released: () => Promise<void>
}

export class Lease {
  readonly #options: LeaseOptions
  #consumer: Consumer | undefined
  #holding = false
  #closed = false
  #since: string | undefined
  readonly #transitions = new KeyedSerial<'lease'>()
  #members: Array<Promise<void>> = []
  #rejoin: ReturnType<typeof setTimeout> | undefined

  constructor (options: LeaseOptions) {
    this.#options = options
  }

  get holding (): boolean { return this.#holding }
  /** When this agent last became active or standby. */
  get since (): string | undefined { return this.#since }

  start (): void {
    this.#since = new Date().toISOString()
    this.#join()
  }

  /** Leaves the group (releasing the lease first when held). */
  async close (): Promise<void> {
    this.#closed = true
    clearTimeout(this.#rejoin)
    await this.#consumer?.close()
    await Promise.all(this.#members)
    await this.#transitions.idle()
  }

  #join (): void {
    const { cluster, group, topic, sessionTimeoutMs, logger } = this.#options
    const consumer = new Consumer({
      cluster,
      clientId: `${this.#options.clientId}-lease`,
      // Range only as the fallback an older agent in the same group (a rolling upgrade) also has.
      assignors: [cooperativeStickyAssignor, rangeAssignor],
      groupId: group,
      logger,
      autoCommit: false,
      autoOffsetReset: 'latest',
      sessionTimeoutMs,
      heartbeatIntervalMs: Math.max(100, Math.floor(sessionTimeoutMs / 5)),
      rebalanceTimeoutMs: sessionTimeoutMs,
    })
    this.#consumer = consumer
    const tp = { topic, partition: 0 }
    consumer.subscribe([topic], {
      onAssigned: (partitions) => {
        if (!partitions.some((p) => p.topic === topic && p.partition === 0)) return
        // The lease is the assignment; the state is read by StateTopic.restore, not here.
        consumer.pause([tp])
        this.#transition(async () => {
          this.#holding = true
          this.#since = new Date().toISOString()
          logger.info({ group }, 'HA lease acquired: this agent is active')
          try {
            await this.#options.acquired()
          } catch (error) {
            // Holding the lease without acting would leave no agent active: leave the group so a
            // standby gets it, and join again later as a standby.
            logger.error({ group, err: (error as Error).message }, 'HA: becoming active failed; the lease is given up')
            await this.#release()
            this.#leaveAndRejoin(consumer)
          }
        })
      },
      onRevoked: async () => {
        await this.#transitions.run('lease', async () => { await this.#release() })
      },
    })
    // run() keeps the membership's failures visible (the partition itself stays paused).
    this.#members.push(consumer.run({ eachBatch: async () => {} }).catch((error: unknown) => {
      logger.error({ group, err: (error as Error).message }, 'HA lease membership failed; joining again')
      this.#leaveAndRejoin(consumer)
    }))
  }

  #leaveAndRejoin (consumer: Consumer): void {
    if (this.#consumer !== consumer) return
    this.#consumer = undefined
    this.#members.push(consumer.close().catch(() => {}))
    if (this.#closed) return
    this.#rejoin = setTimeout(() => { if (!this.#closed) this.#join() }, this.#options.sessionTimeoutMs)
    this.#rejoin.unref()
  }

  async #release (): Promise<void> {
    if (!this.#holding) return
    this.#holding = false
    this.#since = new Date().toISOString()
    this.#options.logger.warn({ group: this.#options.group }, 'HA lease released: this agent is a standby')
    await this.#options.released()
  }

  /** Acquire steps run outside the group callback (their failures are handled inside them). */
  #transition (step: () => Promise<void>): void {
    this.#transitions.run('lease', step).catch(() => {})
  }
}
