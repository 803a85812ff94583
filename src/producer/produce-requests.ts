/**
 * Produce requests per broker, as the Java client's Sender drains per node: every partition
 * sender hands its next batch to the queue of its leader's connection, and each request to that
 * broker carries every partition that has a batch waiting, one batch per partition, up to
 * `maxRequestSize` bytes of batches (at least one batch). Up to `maxInFlight` requests per
 * connection are out at a time; while they are, batches gather for the next request, so under
 * load a request carries all of the broker's partitions and small loads go out at once.
 *
 * Order within a partition holds because a partition's second batch never rides in the same
 * request as its first: it waits for a later request, and requests on one connection are
 * written, and answered, in order. Each batch gets its own partition's answer (or the request's
 * failure, for every batch in it), so the partition senders judge outcomes exactly as with one
 * request per batch.
 */
import type { BrokerConnection } from '../cluster/broker-connection.ts'
import type { EncodedBatch } from './batch.ts'
import { apis } from '../protocol/apis/index.ts'
import type { ResponseBody } from '../protocol/messages.ts'
import { KafkaErrorCode, kafkaError } from '../resilience/kafka-errors.ts'

/** What one Produce request did for one partition's batch. */
export type ProduceOutcome =
  | { kind: 'answer', errorCode: number, baseOffset: bigint, logAppendTimeMs: bigint, errorMessage: string | null }
  | { kind: 'thrown', error: unknown }

export interface ProduceRequestOptions {
  acks: -1 | 0 | 1
  requestTimeoutMs: number
  maxRequestSize: number
  /** Requests in flight per connection (maxInFlightPerPartition: one batch per partition each). */
  maxInFlight: number
}

/** The subset of a connection this needs: the scripted connections of the tests have it too. */
type ProduceConnection = Pick<BrokerConnection, 'label' | 'request'>

interface Entry {
  topic: string
  partition: number
  records: EncodedBatch
  done: (outcome: ProduceOutcome) => void
}

const NO_ANSWER: ProduceOutcome = { kind: 'answer', errorCode: KafkaErrorCode.NONE, baseOffset: -1n, logAppendTimeMs: -1n, errorMessage: null }

class ConnectionQueue {
  readonly #connection: ProduceConnection
  readonly #options: ProduceRequestOptions
  #waiting: Entry[] = []
  #inFlight = 0
  #scheduled = false

  constructor (connection: ProduceConnection, options: ProduceRequestOptions) {
    this.#connection = connection
    this.#options = options
  }

  add (entry: Entry): void {
    this.#waiting.push(entry)
    // Batches handed over in the same turn of the event loop share a request.
    if (!this.#scheduled && this.#inFlight < this.#options.maxInFlight) {
      this.#scheduled = true
      setImmediate(() => { this.#scheduled = false; this.#pump() })
    }
  }

  #pump (): void {
    while (this.#waiting.length > 0 && this.#inFlight < this.#options.maxInFlight) this.#send(this.#take())
  }

  /** The next request's batches: the first waiting batch of each partition, in the order they came, up to maxRequestSize. */
  #take (): Entry[] {
    const taken: Entry[] = []
    const left: Entry[] = []
    const partitions = new Set<string>()
    let bytes = 0
    for (const entry of this.#waiting) {
      const key = `${entry.topic}\u0000${entry.partition}`
      if (partitions.has(key) || (taken.length > 0 && bytes + entry.records.length > this.#options.maxRequestSize)) {
        left.push(entry)
        continue
      }
      partitions.add(key)
      bytes += entry.records.length
      taken.push(entry)
    }
    this.#waiting = left
    return taken
  }

  #send (entries: Entry[]): void {
    this.#inFlight++
    const topics = new Map<string, Array<{ index: number, records: readonly Buffer[] }>>()
    for (const e of entries) {
      let list = topics.get(e.topic)
      if (list === undefined) topics.set(e.topic, list = [])
      list.push({ index: e.partition, records: e.records.pieces })
    }
    const { acks, requestTimeoutMs } = this.#options
    this.#connection.request(apis.Produce, {
      transactionalId: null,
      acks,
      timeoutMs: requestTimeoutMs,
      topicData: [...topics].map(([name, partitionData]) => ({ name, partitionData })),
    }, { expectResponse: acks !== 0, timeoutMs: requestTimeoutMs }).then(
      // acks=0: the broker does not answer.
      (response) => { this.#answer(entries, response?.body) },
      (error: unknown) => { for (const e of entries) e.done({ kind: 'thrown', error }) }
    ).finally(() => {
      this.#inFlight--
      this.#pump()
    })
  }

  #answer (entries: Entry[], body: ResponseBody<typeof apis.Produce> | undefined): void {
    if (body === undefined) {
      for (const e of entries) e.done(NO_ANSWER)
      return
    }
    const answers = new Map<string, ProduceOutcome>()
    for (const topic of body.responses) {
      for (const p of topic.partitionResponses) {
        answers.set(`${topic.name}\u0000${p.index}`, { kind: 'answer', errorCode: p.errorCode, baseOffset: p.baseOffset, logAppendTimeMs: p.logAppendTimeMs ?? -1n, errorMessage: p.errorMessage ?? null })
      }
    }
    for (const e of entries) {
      e.done(answers.get(`${e.topic}\u0000${e.partition}`) ?? {
        kind: 'thrown',
        error: kafkaError(KafkaErrorCode.UNKNOWN_SERVER_ERROR, `Produce to ${e.topic}-${e.partition} on ${this.#connection.label}: the answer does not mention the partition`),
      })
    }
  }
}

/** One queue per connection; a new connection (after a reconnect) starts a new one. */
export class ProduceRequests {
  readonly #options: ProduceRequestOptions
  readonly #queues = new WeakMap<ProduceConnection, ConnectionQueue>()

  constructor (options: ProduceRequestOptions) {
    this.#options = options
  }

  /** Sends one partition's batch in the next Produce request to `connection`; resolves with that partition's outcome. */
  async send (connection: ProduceConnection, topic: string, partition: number, records: EncodedBatch): Promise<ProduceOutcome> {
    let queue = this.#queues.get(connection)
    if (queue === undefined) this.#queues.set(connection, queue = new ConnectionQueue(connection, this.#options))
    const target = queue
    return await new Promise<ProduceOutcome>((resolve) => { target.add({ topic, partition, records, done: resolve }) })
  }
}
