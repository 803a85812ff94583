/**
 * Membership of a consumer group under the KIP-848 consumer protocol (`groupProtocol:
 * 'consumer'`, Kafka 4.x): one request, ConsumerGroupHeartbeat, joins (epoch 0), heartbeats,
 * reports the partitions the member owns and leaves (epoch -1; -2 for a static member, which keeps
 * its place). The coordinator runs the assignor (`serverAssignor`: `uniform` or `range`) and
 * answers with the member's epoch and, when it changed, the partitions the member may own now.
 *
 * Reconciliation, one step at a time (never two at once): partitions the new assignment leaves
 * out are revoked first (fetching stops, the application's record finishes, processed offsets
 * are committed with the member's epoch), then the added ones start at their committed offsets,
 * and the next heartbeat goes at once to report what the member owns. The coordinator hands a
 * partition to its next owner only after the previous one reported it gone, so nothing is read
 * twice by a clean handover. Heartbeats keep going while a step runs.
 *
 * Faults: coordinator errors and broken connections find the coordinator again (retry loop
 * hooks); FENCED_MEMBER_EPOCH and UNKNOWN_MEMBER_ID mean the group dropped the member: its
 * partitions are given up without a commit (another member may own them) and it joins again with
 * epoch 0 and the same member id; so does a heartbeat unanswered for a whole session. A broker
 * without the protocol (Kafka 3.x: no ConsumerGroupHeartbeat, or the API offered but the group
 * protocol disabled) stops the member with GroupProtocolUnavailableError; other fatal answers
 * (UNSUPPORTED_ASSIGNOR, UNRELEASED_INSTANCE_ID, FENCED_INSTANCE_ID, authorization) stop it too.
 */
import { randomBytes } from 'node:crypto'
import { UnsupportedApiError } from '../../cluster/errors.ts'
import { tpKey } from '../../cluster/topic-partition.ts'
import { apis } from '../../protocol/apis/index.ts'
import type { ResponseBody } from '../../protocol/messages.ts'
import { classify } from '../../resilience/classify.ts'
import { DeadlineExceededError, KafkaProtocolError } from '../../resilience/errors.ts'
import { KafkaErrorCode, kafkaError } from '../../resilience/kafka-errors.ts'
import { retry } from '../../resilience/retry.ts'
import { coordinatorLookCap } from '../../resilience/coordinator-looks.ts'
import { GroupProtocolUnavailableError, SessionLostError } from '../errors.ts'
import type { TopicPartition } from '../message.ts'
import { REBALANCES } from '../metrics.ts'
import { Notifier, waitFor } from '../notifier.ts'
import { GROUP_CONNECTION, type Generation, type Membership, type MembershipHost } from './membership.ts'
import { watchTopics, type TopicSubscription } from './subscription.ts'

type HeartbeatAnswer = ResponseBody<typeof apis.ConsumerGroupHeartbeat>
type TopicIdPartitions = Array<{ topicId: string, partitions: number[] }>

const JOIN_EPOCH = 0
const LEAVE_EPOCH = -1
const STATIC_LEAVE_EPOCH = -2

/** Kafka's Uuid text form (16 random bytes, URL-safe base64): from v1 the member names itself. */
function newMemberId (): string {
  return randomBytes(16).toString('base64url')
}

export class ConsumerGroupMember implements Membership {
  readonly #host: MembershipHost
  readonly #groupId: string
  readonly #subscription: TopicSubscription
  readonly #abort = new AbortController()
  readonly #wake = new Notifier()
  #memberId = newMemberId()
  #epoch = JOIN_EPOCH
  #intervalMs: number
  /** What the member holds, as its last finished reconciliation step left it. */
  #owned: TopicPartition[] = []
  /** The latest assignment the coordinator sent, by topic id; undefined once reconciled. */
  #target: TopicIdPartitions | undefined
  /** Topic ids of the subscribed topics, as metadata last named them. */
  readonly #names = new Map<string, string>()
  /** Reconciliation steps and losses run here, one after another. */
  #steps: Promise<void> = Promise.resolve()
  #stepping = false
  /** The next heartbeat sends every field (joining, or after a failed one). */
  #fullNext = true
  /** The owned partitions the coordinator last heard of (their wire form), sent again only when they change. */
  #reported: string | undefined
  /** The subscribed topics the coordinator last heard of, joined: a change (patterns matching other topics) goes in a full heartbeat. */
  #sentTopics: string | undefined
  #running: Promise<void> | undefined
  /** Set by `stepOut`: the loop leaves the group and waits for `back` before joining again. */
  #stepOut: { reason: string, back: Promise<void> } | undefined

  constructor (host: MembershipHost, groupId: string, subscription: TopicSubscription) {
    this.#host = host
    this.#groupId = groupId
    this.#subscription = subscription
    this.#intervalMs = host.options.heartbeatIntervalMs
  }

  get generation (): Generation {
    return { generationId: this.#epoch, memberId: this.#memberId, groupInstanceId: this.#host.options.groupInstanceId ?? null }
  }

  /**
   * Runs the heartbeat loop and, for a subscription with patterns, the look for topics they
   * match: a change goes to the coordinator in a full heartbeat at once. (The coordinator follows
   * named topics appearing, growing and going by itself.)
   */
  start (): void {
    const watch = this.#subscription.hasPatterns
      ? watchTopics(this.#host.options.metadataMaxAgeMs, this.#abort.signal, this.#host.logger, async () => await this.#subscription.refresh(this.#host.cluster) ? 'the patterns match other topics' : undefined, (reason) => {
        this.#host.logger.info({ group: this.#groupId, reason, topics: this.#subscription.topics }, 'subscription changed')
        this.#wake.notify()
      })
      : Promise.resolve()
    this.#running ??= Promise.all([this.#run(), watch]).then(() => {})
  }

  /** Stops heartbeating, revokes (committing while the epoch is valid), then leaves (a static member only says it will be back). */
  async close (): Promise<void> {
    this.#abort.abort()
    await this.#running
    await this.#steps
    if (this.#owned.length > 0) await this.#host.revoke(this.#epoch > 0)
    this.#owned = []
    if (this.#epoch > 0) await this.#leave()
  }

  stepOut (reason: string, back: Promise<void>): void {
    this.#stepOut ??= { reason, back }
    this.#wake.notify()
  }

  async #run (): Promise<void> {
    const signal = this.#abort.signal
    while (!signal.aborted) {
      if (this.#stepOut !== undefined) await this.#stepOutNow(this.#stepOut)
      if (signal.aborted) return
      const woken = this.#wake.next()
      let answer: HeartbeatAnswer
      try {
        answer = await this.#heartbeat()
      } catch (error) {
        if (signal.aborted) return
        if (error instanceof UnsupportedApiError) {
          this.#host.failed(new GroupProtocolUnavailableError(this.#groupId, error.message, error))
          return
        }
        if (error instanceof DeadlineExceededError || classify(error).action === 'rejoin') {
          const why = error instanceof DeadlineExceededError ? new SessionLostError(this.#groupId, this.#host.options.sessionTimeoutMs, error) : error as Error
          this.#host.logger.info({ group: this.#groupId, memberId: this.#memberId, reason: why.message }, 'dropped by the group: giving the partitions up and joining again')
          this.#lose()
          continue
        }
        // Stopped for good (fenced, refused): the partitions stop being read, without a commit.
        this.#lose()
        this.#epoch = LEAVE_EPOCH
        this.#abort.abort()
        this.#host.failed(error as Error)
        return
      }
      this.#take(answer)
      await waitFor(woken, this.#intervalMs, signal)
    }
  }

  /** One heartbeat through the retry loop; coordinator moves and broken connections are retried for up to a session. */
  async #heartbeat (): Promise<HeartbeatAnswer> {
    const { options } = this.#host
    return await retry(async (context) => {
      const coordinator = await this.#host.cluster.coordinator('group', this.#groupId, { purpose: GROUP_CONNECTION })
      // A full request on joining and after a failure (the coordinator may have lost our state);
      // else only what changed, as the protocol asks: a full request also brings the whole
      // assignment back every time.
      if (this.#epoch === JOIN_EPOCH) await this.#subscription.refresh(this.#host.cluster)
      const topics = this.#subscription.topics
      const full = this.#fullNext || this.#epoch === JOIN_EPOCH || topics.join('\u0000') !== this.#sentTopics
      this.#fullNext = true
      const owned = this.#epoch === JOIN_EPOCH ? [] : await this.#ownedByTopicId()
      const ownedKey = JSON.stringify(owned)
      const response = await coordinator.request(apis.ConsumerGroupHeartbeat, {
        groupId: this.#groupId,
        memberId: this.#memberId,
        memberEpoch: this.#epoch,
        instanceId: options.groupInstanceId ?? null,
        rackId: full && options.clientRack !== '' ? options.clientRack : null,
        rebalanceTimeoutMs: full ? options.rebalanceTimeoutMs : -1,
        subscribedTopicNames: full ? topics : null,
        serverAssignor: full ? options.serverAssignor ?? null : null,
        topicPartitions: full || ownedKey !== this.#reported ? owned : null,
      }, { signal: context.signal })
      const body = response.body
      if (body.errorCode === KafkaErrorCode.UNSUPPORTED_VERSION) {
        throw new UnsupportedApiError('ConsumerGroupHeartbeat', coordinator.label, body.errorMessage ?? 'the consumer group protocol is not enabled')
      }
      if (body.errorCode !== KafkaErrorCode.NONE) {
        throw kafkaError(body.errorCode, `ConsumerGroupHeartbeat ${this.#groupId} at ${coordinator.label}${body.errorMessage === null ? '' : ` (${body.errorMessage})`}`)
      }
      this.#fullNext = false
      this.#reported = ownedKey
      if (full) this.#sentTopics = topics.join('\u0000')
      return body
    }, {
      component: 'consumer',
      operation: 'heartbeat',
      capDelay: coordinatorLookCap,
      logger: this.#host.logger,
      metrics: options.metrics,
      signal: this.#abort.signal,
      // The coordinator's session timer (group.consumer.session.timeout.ms, 45 s by default) has run out by then.
      policy: { initialDelayMs: options.retryBackoffMs, maxDelayMs: options.retryBackoffMaxMs, maxAttempts: Infinity, deadlineMs: options.sessionTimeoutMs },
      hooks: { 'refresh-coordinator': () => { this.#forgetCoordinator() }, reconnect: () => { this.#forgetCoordinator() } },
    })
  }

  /** Takes a heartbeat answer: the epoch, the interval, and a new assignment to reconcile. */
  #take (answer: HeartbeatAnswer): void {
    if (answer.memberId !== null && answer.memberId !== '') this.#memberId = answer.memberId
    if (answer.memberEpoch !== this.#epoch) {
      this.#host.options.metrics.counter(REBALANCES).inc({ group: this.#groupId })
      this.#host.logger.debug({ group: this.#groupId, memberId: this.#memberId, epoch: answer.memberEpoch }, 'member epoch')
    }
    this.#epoch = answer.memberEpoch
    if (answer.heartbeatIntervalMs > 0) this.#intervalMs = answer.heartbeatIntervalMs
    if (answer.assignment !== null) this.#target = answer.assignment.topicPartitions
    if (this.#target !== undefined && !this.#stepping) this.#queue(async () => { await this.#reconcile() })
  }

  #queue (step: () => Promise<void>): void {
    this.#stepping = true
    this.#steps = this.#steps.then(step).catch((error: unknown) => {
      // A step that cannot finish (its OffsetFetch ran out of time) is taken again at the next heartbeat.
      this.#host.logger.warn({ group: this.#groupId, err: (error as Error).message }, 'reconciling the assignment failed; trying again')
    }).finally(() => { this.#stepping = false })
  }

  /** Revokes what the target leaves out, then sets up what it adds; wakes the heartbeat to report it. */
  async #reconcile (): Promise<void> {
    const target = this.#target
    if (target === undefined || this.#abort.signal.aborted) return
    const wanted = await this.#resolve(target)
    if (wanted === undefined) return
    const now = new Set(wanted.map((tp) => tpKey(tp.topic, tp.partition)))
    const before = new Set(this.#owned.map((tp) => tpKey(tp.topic, tp.partition)))
    const revoked = this.#owned.filter((tp) => !now.has(tpKey(tp.topic, tp.partition)))
    const added = wanted.filter((tp) => !before.has(tpKey(tp.topic, tp.partition)))
    if (revoked.length > 0) {
      await this.#host.revoke(true, revoked)
      this.#owned = this.#owned.filter((tp) => now.has(tpKey(tp.topic, tp.partition)))
    }
    if (added.length > 0) await this.#host.assigned(added, this.generation)
    this.#owned = wanted
    if (this.#target === target) this.#target = undefined
    if (revoked.length === 0 && added.length === 0) return
    this.#host.logger.info({ group: this.#groupId, memberId: this.#memberId, epoch: this.#epoch, partitions: wanted.length, added: added.length, revoked: revoked.length }, 'assignment reconciled')
    // Report the change at once: the coordinator hands revoked partitions on only when told.
    this.#wake.notify()
  }

  /** The group dropped the member: every partition goes without a commit, and it joins again at epoch 0. */
  #lose (): void {
    this.#epoch = JOIN_EPOCH
    this.#target = undefined
    this.#fullNext = true
    this.#queue(async () => {
      if (this.#owned.length > 0) await this.#host.revoke(false, this.#owned)
      this.#owned = []
    })
  }

  /**
   * Leaves (epoch -1; a static member -2, so the coordinator keeps its place for the session
   * timeout), gives the partitions up without a commit, waits for the application, and lets the
   * loop join again at epoch 0.
   */
  async #stepOutNow ({ reason, back }: { reason: string, back: Promise<void> }): Promise<void> {
    this.#host.logger.warn({ group: this.#groupId, memberId: this.#memberId, reason }, 'leaving the group until the application asks for more records')
    if (this.#epoch > 0) await this.#leave()
    this.#lose()
    await this.#steps
    await waitFor(back, undefined, this.#abort.signal)
    this.#stepOut = undefined
    this.#host.logger.info({ group: this.#groupId }, 'the application is back: joining the group again')
  }

  /** The target's partitions by topic name; undefined while an id is not in metadata yet (tried again at the next heartbeat). */
  async #resolve (target: TopicIdPartitions): Promise<TopicPartition[] | undefined> {
    if (target.some((t) => !this.#names.has(t.topicId))) await this.#learnTopicIds(true)
    const unknown = target.filter((t) => !this.#names.has(t.topicId)).map((t) => t.topicId)
    if (unknown.length > 0) {
      this.#host.logger.warn({ group: this.#groupId, topicIds: unknown }, 'assigned topic ids not in metadata yet')
      return undefined
    }
    return target.flatMap((t) => t.partitions.map((partition) => ({ topic: this.#names.get(t.topicId) as string, partition })))
      .sort((a, b) => a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1)
  }

  async #ownedByTopicId (): Promise<TopicIdPartitions> {
    const ids = new Map<string, string>([...this.#names].map(([id, name]) => [name, id]))
    if (this.#owned.some((tp) => !ids.has(tp.topic))) {
      await this.#learnTopicIds(false)
      for (const [id, name] of this.#names) ids.set(name, id)
    }
    const byTopic = new Map<string, number[]>()
    for (const tp of this.#owned) {
      const id = ids.get(tp.topic)
      if (id !== undefined) byTopic.set(id, [...(byTopic.get(id) ?? []), tp.partition])
    }
    return [...byTopic].map(([topicId, partitions]) => ({ topicId, partitions }))
  }

  async #learnTopicIds (fresh: boolean): Promise<void> {
    const topics = this.#subscription.topics
    const metadata = fresh ? await this.#host.cluster.refreshMetadata(topics) : await this.#host.cluster.metadata(topics)
    for (const topic of metadata.topics.values()) {
      if (topic.topicId !== undefined && topics.includes(topic.name)) this.#names.set(topic.topicId, topic.name)
    }
  }

  #forgetCoordinator (): void {
    this.#host.cluster.invalidateCoordinator('group', this.#groupId)
  }

  async #leave (): Promise<void> {
    const { options } = this.#host
    const epoch = options.groupInstanceId === undefined ? LEAVE_EPOCH : STATIC_LEAVE_EPOCH
    try {
      await retry(async (context) => {
        const coordinator = await this.#host.cluster.coordinator('group', this.#groupId, { purpose: GROUP_CONNECTION })
        const response = await coordinator.request(apis.ConsumerGroupHeartbeat, {
          groupId: this.#groupId,
          memberId: this.#memberId,
          memberEpoch: epoch,
          instanceId: options.groupInstanceId ?? null,
        }, { signal: context.signal })
        const code = response.body.errorCode
        // Already gone is gone.
        if (code !== KafkaErrorCode.NONE && code !== KafkaErrorCode.UNKNOWN_MEMBER_ID && code !== KafkaErrorCode.FENCED_MEMBER_EPOCH) {
          throw kafkaError(code, `ConsumerGroupHeartbeat (leave) ${this.#groupId} at ${coordinator.label}`)
        }
      }, {
        component: 'consumer',
        operation: 'leave-group',
        capDelay: coordinatorLookCap,
        logger: this.#host.logger,
        metrics: options.metrics,
        policy: { initialDelayMs: options.retryBackoffMs, maxDelayMs: options.retryBackoffMaxMs, maxAttempts: Infinity, deadlineMs: options.requestTimeoutMs },
        hooks: { 'refresh-coordinator': () => { this.#forgetCoordinator() }, reconnect: () => { this.#forgetCoordinator() } },
      })
    } catch (error) {
      this.#host.logger.warn({ group: this.#groupId, err: (error as Error).message, code: error instanceof KafkaProtocolError ? error.errorCode : undefined }, 'leaving the group failed; the group notices after the session timeout')
    }
    this.#epoch = LEAVE_EPOCH
  }
}
