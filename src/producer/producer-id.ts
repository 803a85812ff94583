/**
 * Producer ids for idempotence. One id (InitProducerId, no transactional id) is shared by every
 * partition; a partition whose sequence can no longer be trusted (a batch failed or expired
 * after it was numbered) takes a fresh id of its own and numbers from 0 again, which the broker
 * accepts because it tracks sequences per producer id and partition.
 * When the brokers do not offer InitProducerId and idempotence was only the default, the producer
 * carries on without it (identity null) and says so once in the log.
 */
import type { Cluster } from '../cluster/cluster.ts'
import { UnsupportedApiError } from '../cluster/errors.ts'
import type { Logger } from '../observability/logger.ts'
import { apis } from '../protocol/apis/index.ts'
import { KafkaErrorCode, kafkaError } from '../resilience/kafka-errors.ts'
import { SingleFlight } from '../resilience/single-flight.ts'
import type { ProducerIdentity } from './batch.ts'

/** Java sends the largest timeout for an idempotent (non-transactional) producer. */
const NO_TRANSACTION_TIMEOUT = 2_147_483_647

export class ProducerIdManager {
  readonly #cluster: Cluster
  readonly #logger: Logger
  /** True when the caller asked for idempotence explicitly: then "unsupported" is an error. */
  readonly #required: boolean
  readonly #timeoutMs: number
  /** The shared identity once fetched (null: the cluster lacks idempotence). */
  #shared: { identity: ProducerIdentity | null } | undefined
  readonly #fetching = new SingleFlight<'shared', ProducerIdentity | null>()

  constructor (cluster: Cluster, options: { required: boolean, logger: Logger, requestTimeoutMs: number }) {
    this.#cluster = cluster
    this.#logger = options.logger
    this.#required = options.required
    this.#timeoutMs = options.requestTimeoutMs
  }

  /** The shared identity; fetched once, fetched again after a failure. */
  async shared (): Promise<ProducerIdentity | null> {
    if (this.#shared !== undefined) return this.#shared.identity
    return await this.#fetching.run('shared', async () => {
      const identity = await this.#fetch()
      this.#shared = { identity }
      return identity
    })
  }

  /** A new identity, for one partition that must number from 0 again. */
  async fresh (): Promise<ProducerIdentity | null> {
    if (await this.shared() === null) return null
    return await this.#fetch()
  }

  async #fetch (): Promise<ProducerIdentity | null> {
    const connection = await this.#cluster.anyConnection()
    let response
    try {
      response = await connection.request(apis.InitProducerId, {
        transactionalId: null,
        transactionTimeoutMs: NO_TRANSACTION_TIMEOUT,
        producerId: -1n,
        producerEpoch: -1,
      }, { timeoutMs: this.#timeoutMs })
    } catch (error) {
      if (error instanceof UnsupportedApiError && !this.#required) return this.#disabled(error.message)
      throw error
    }
    const { errorCode, producerId, producerEpoch } = response.body
    if (errorCode === KafkaErrorCode.CLUSTER_AUTHORIZATION_FAILED && !this.#required) {
      return this.#disabled(`${connection.label} refused InitProducerId (CLUSTER_AUTHORIZATION_FAILED: the IdempotentWrite permission is missing)`)
    }
    if (errorCode !== KafkaErrorCode.NONE) throw kafkaError(errorCode, `InitProducerId via ${connection.label}`)
    this.#logger.debug({ producerId: String(producerId), producerEpoch, broker: connection.label }, 'producer id assigned')
    return { producerId, producerEpoch }
  }

  #disabled (why: string): null {
    this.#logger.warn({ why }, 'idempotence is off: the cluster does not support it (set idempotent: true to make this an error)')
    return null
  }
}
