/**
 * Membership of a consumer group under the classic protocol: FindCoordinator, JoinGroup (again
 * with the member id the coordinator hands out on MEMBER_ID_REQUIRED), SyncGroup (the leader
 * computes the assignment with the assignor the group chose), heartbeats, and LeaveGroup on
 * close. The chosen assignor's rebalance protocol decides what a rebalance costs: eager, every
 * partition is revoked before rejoining; cooperative (KIP-429), the member rejoins holding its
 * partitions (named in its subscription), and after the new assignment revokes only those it
 * lost, then rejoins at once so the group can hand them to their new owner.
 *
 * Faults: NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS and broken
 * connections forget the coordinator and find it again (retry loop hooks); REBALANCE_IN_PROGRESS,
 * ILLEGAL_GENERATION and UNKNOWN_MEMBER_ID end the generation and rejoin. Fatal answers
 * (FENCED_INSTANCE_ID, INCONSISTENT_GROUP_PROTOCOL, authorization) stop the member and are
 * reported to the host. A stuck application (`stepOut`) makes it leave, give its partitions up
 * without a commit, and join again as a new member once the application is back.
 */
import type { Cluster } from '../../cluster/cluster.ts'
import type { Logger } from '../../observability/logger.ts'
import { apis } from '../../protocol/apis/index.ts'
import type { Element, ResponseBody } from '../../protocol/messages.ts'
import { classify } from '../../resilience/classify.ts'
import { DeadlineExceededError, KafkaProtocolError } from '../../resilience/errors.ts'
import { KafkaErrorCode, kafkaError } from '../../resilience/kafka-errors.ts'
import { retry } from '../../resilience/retry.ts'
import { coordinatorLookCap } from '../../resilience/coordinator-looks.ts'
import { SessionLostError } from '../errors.ts'
import type { TopicPartition } from '../message.ts'
import { REBALANCES } from '../metrics.ts'
import type { ResolvedConsumerOptions } from '../options.ts'
import type { AssignorMember } from './assignors.ts'
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from './consumer-protocol.ts'
import { Notifier, waitFor } from '../notifier.ts'
import { partitionCounts, sameCounts, watchTopics, type TopicSubscription } from './subscription.ts'

const { MEMBER_ID_REQUIRED, UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION } = KafkaErrorCode

type JoinedMember = Element<ResponseBody<typeof apis.JoinGroup>['members']>

function subscriptionOf (metadata: Buffer): Pick<AssignorMember, 'topics' | 'ownedPartitions'> {
  const { topics, ownedPartitions } = decodeSubscription(metadata)
  return ownedPartitions === undefined ? { topics } : { topics, ownedPartitions }
}
/** JoinGroup blocks its connection until the group has rejoined: membership requests get one of their own. */
export const GROUP_CONNECTION = 'group'
/** JoinGroup waits up to the rebalance timeout on the broker; give the answer this much more. */
const JOIN_SLACK_MS = 5_000

export interface Generation {
  generationId: number
  memberId: string
  groupInstanceId: string | null
}

/** What the consumer asks of a group membership, whichever protocol runs it. */
export interface Membership {
  /** Who commits: the classic generation, or the KIP-848 member epoch; read at each commit attempt. */
  readonly generation: Generation
  start: () => void
  /** Stops, revokes (committing while the member is still in the group), and leaves. */
  close: () => Promise<void>
  /**
   * The application is stuck (maxPollIntervalMs passed with a record in its hands): leave the
   * group now, so its partitions go to other members, give them up as lost, and join again once
   * `back` resolves (the application asked for more).
   */
  stepOut: (reason: string, back: Promise<void>) => void
}

export interface MembershipHost {
  readonly cluster: Cluster
  readonly options: ResolvedConsumerOptions
  readonly logger: Logger
  /** Partitions the generation added (eager: all of them); positions are set up before it returns. */
  assigned: (partitions: TopicPartition[], generation: Generation) => Promise<void>
  /**
   * Partitions go: `partitions` (cooperative: those the new assignment left out), else every
   * one, before a rejoin or a leave; `canCommit` is false when the generation is already gone.
   */
  revoke: (canCommit: boolean, partitions?: TopicPartition[]) => Promise<void>
  /** The member stopped for good (a fatal answer). */
  failed: (error: Error) => void
}

export class GroupMember implements Membership {
  readonly #host: MembershipHost
  readonly #groupId: string
  readonly #subscription: TopicSubscription
  readonly #abort = new AbortController()
  /** Wakes the heartbeat loop when the topics changed (`#rejoinReason`). */
  readonly #wake = new Notifier()
  #rejoinReason: string | undefined
  /** Set by `stepOut`: the heartbeat loop leaves the group and waits for `back` before joining again. */
  #stepOut: { reason: string, back: Promise<void> } | undefined
  /** The leader's: the topics every member subscribed to and their partition counts, as it assigned them. */
  #assignedCounts: Map<string, number> | undefined
  #memberId = ''
  #generationId = -1
  #assignedOnce = false
  /** What this member holds (as the group last assigned it), named in cooperative rejoins. */
  #owned: TopicPartition[] = []
  /** The rebalance protocol of the assignor the group chose last. */
  #cooperative = false
  #running: Promise<void> | undefined

  constructor (host: MembershipHost, groupId: string, subscription: TopicSubscription) {
    this.#host = host
    this.#groupId = groupId
    this.#subscription = subscription
  }

  get generation (): Generation {
    return { generationId: this.#generationId, memberId: this.#memberId, groupInstanceId: this.#host.options.groupInstanceId ?? null }
  }

  start (): void {
    this.#running ??= Promise.all([
      this.#run(),
      watchTopics(this.#host.options.metadataMaxAgeMs, this.#abort.signal, this.#host.logger, async () => await this.#topicsChanged(), (reason) => {
        this.#rejoinReason = reason
        this.#wake.notify()
      }),
    ]).then(() => {})
  }

  /**
   * Why the member should rejoin now, if it should: the topics its patterns match changed (a
   * rejoin with another subscription starts a rebalance), or, for the leader, a topic of the
   * group's subscription appeared, grew or went (the leader's rejoin starts one). As Java's
   * coordinator does, only the leader watches partition counts: the others' rejoin with an
   * unchanged subscription would not rebalance the group.
   */
  async #topicsChanged (): Promise<string | undefined> {
    if (await this.#subscription.refresh(this.#host.cluster)) return `the subscription's patterns match ${JSON.stringify(this.#subscription.topics)} now`
    const assigned = this.#assignedCounts
    if (assigned === undefined) return undefined
    const now = partitionCounts(await this.#host.cluster.refreshMetadata([...assigned.keys()]), [...assigned.keys()])
    if (sameCounts(assigned, now)) return undefined
    const changed = [...now].filter(([topic, count]) => assigned.get(topic) !== count).map(([topic, count]) => `${topic}: ${assigned.get(topic) ?? 0} -> ${count} partitions`)
    return `subscribed topics changed (${changed.join(', ')})`
  }

  /** Stops heartbeating, revokes (committing), and leaves the group (dynamic members only: a static member keeps its place for the session timeout). */
  async close (): Promise<void> {
    this.#abort.abort()
    await this.#running
    if (this.#assignedOnce) await this.#host.revoke(this.#generationId >= 0)
    if (this.#memberId !== '' && this.#host.options.groupInstanceId === undefined) await this.#leave()
  }

  stepOut (reason: string, back: Promise<void>): void {
    this.#stepOut ??= { reason, back }
    this.#wake.notify()
  }

  async #run (): Promise<void> {
    const signal = this.#abort.signal
    while (!signal.aborted) {
      try {
        const partitions = await this.#join()
        if (await this.#apply(partitions)) continue
        const ended = await this.#heartbeat()
        if (signal.aborted) return
        if (this.#stepOut !== undefined) {
          await this.#stepOutNow(this.#stepOut)
          continue
        }
        this.#host.logger.info({ group: this.#groupId, reason: ended.message }, 'group generation ended: rejoining')
        const code = ended instanceof KafkaProtocolError ? ended.errorCode : KafkaErrorCode.NONE
        const lost = ended instanceof SessionLostError
        // After a lost session the member id is offered again: a coordinator that dropped it answers
        // UNKNOWN_MEMBER_ID and the join starts over as a new member.
        if (code === UNKNOWN_MEMBER_ID) this.#memberId = ''
        const canCommit = code !== UNKNOWN_MEMBER_ID && code !== ILLEGAL_GENERATION && !lost
        if (!canCommit) this.#generationId = -1
        // Cooperative members keep their partitions into the rejoin unless they lost them.
        if (this.#cooperative && canCommit) continue
        await this.#host.revoke(canCommit)
        this.#owned = []
        this.#assignedOnce = false
      } catch (error) {
        if (signal.aborted) return
        // Stopped for good (fenced, refused): the partitions may be another member's now, so
        // they stop being read, without a commit.
        if (this.#assignedOnce) await this.#host.revoke(false)
        this.#owned = []
        this.#assignedOnce = false
        this.#generationId = -1
        this.#abort.abort()
        this.#host.failed(error as Error)
        return
      }
    }
  }

  /**
   * Takes a generation's assignment: eager, all of it is new; cooperative, the partitions lost
   * are revoked first (committing) and the added ones set up. True when the member must rejoin
   * at once (it gave partitions up, which the group hands out in the next generation).
   */
  async #apply (partitions: TopicPartition[]): Promise<boolean> {
    const key = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`
    const now = new Set(partitions.map(key))
    const before = new Set(this.#owned.map(key))
    const lost = this.#cooperative ? this.#owned.filter((tp) => !now.has(key(tp))) : []
    const added = this.#cooperative ? partitions.filter((tp) => !before.has(key(tp))) : partitions
    if (lost.length > 0) await this.#host.revoke(true, lost)
    this.#owned = partitions
    await this.#host.assigned(added, this.generation)
    this.#assignedOnce = true
    return lost.length > 0
  }

  /** JoinGroup then SyncGroup until a generation is reached; returns this member's partitions. */
  async #join (): Promise<TopicPartition[]> {
    const { options } = this.#host
    return await retry(async (context) => {
      this.#rejoinReason = undefined
      await this.#subscription.refresh(this.#host.cluster)
      const coordinator = await this.#host.cluster.coordinator('group', this.#groupId, { purpose: GROUP_CONNECTION })
      const owned = new Map<string, number[]>()
      for (const tp of this.#owned) owned.set(tp.topic, [...(owned.get(tp.topic) ?? []), tp.partition])
      const cooperativeOffered = options.assignors.some((a) => a.rebalanceProtocol === 'cooperative')
      const metadata = encodeSubscription({ topics: this.#subscription.topics, userData: null, ...(cooperativeOffered ? { ownedPartitions: owned } : {}) })
      const join = await coordinator.request(apis.JoinGroup, {
        groupId: this.#groupId,
        sessionTimeoutMs: options.sessionTimeoutMs,
        rebalanceTimeoutMs: options.rebalanceTimeoutMs,
        memberId: this.#memberId,
        groupInstanceId: options.groupInstanceId ?? null,
        protocolType: 'consumer',
        protocols: options.assignors.map((a) => ({ name: a.name, metadata })),
        reason: null,
      }, { signal: context.signal, timeoutMs: options.rebalanceTimeoutMs + JOIN_SLACK_MS })
      const body = join.body
      if (body.errorCode === MEMBER_ID_REQUIRED) this.#memberId = body.memberId
      if (body.errorCode !== KafkaErrorCode.NONE) throw kafkaError(body.errorCode, `JoinGroup ${this.#groupId} at ${coordinator.label}`)
      this.#memberId = body.memberId
      this.#generationId = body.generationId
      const protocolName = body.protocolName
      this.#cooperative = options.assignors.find((a) => a.name === protocolName)?.rebalanceProtocol === 'cooperative'
      this.#assignedCounts = undefined
      // A static leader that rejoined a stable group keeps the group's assignment (JoinGroup v9
      // SkipAssignment, KIP-814): it assigns nothing, and only takes note of the topics it watches.
      const assignments = body.leader === this.#memberId ? await this.#assign(protocolName, body.members, body.skipAssignment ?? false) : []
      const sync = await coordinator.request(apis.SyncGroup, {
        groupId: this.#groupId,
        generationId: this.#generationId,
        memberId: this.#memberId,
        groupInstanceId: options.groupInstanceId ?? null,
        protocolType: 'consumer',
        protocolName,
        assignments,
      }, { signal: context.signal, timeoutMs: options.rebalanceTimeoutMs + JOIN_SLACK_MS })
      if (sync.body.errorCode !== KafkaErrorCode.NONE) throw kafkaError(sync.body.errorCode, `SyncGroup ${this.#groupId} at ${coordinator.label}`)
      const assignment = decodeAssignment(sync.body.assignment)
      this.#host.options.metrics.counter(REBALANCES).inc({ group: this.#groupId })
      const partitions = [...assignment.partitions].flatMap(([topic, list]) => list.map((partition) => ({ topic, partition })))
      this.#host.logger.info({ group: this.#groupId, generation: this.#generationId, memberId: this.#memberId, leader: body.leader === this.#memberId, partitions: partitions.length }, 'joined group')
      return partitions
    }, {
      component: 'consumer',
      operation: 'join-group',
      capDelay: coordinatorLookCap,
      logger: this.#host.logger,
      metrics: this.#host.options.metrics,
      signal: this.#abort.signal,
      policy: { initialDelayMs: options.retryBackoffMs, maxDelayMs: options.retryBackoffMaxMs, maxAttempts: Number.MAX_SAFE_INTEGER, deadlineMs: undefined },
      hooks: {
        'refresh-coordinator': () => { this.#forgetCoordinator() },
        reconnect: () => { this.#forgetCoordinator() },
        'refresh-metadata': async () => { await this.#host.cluster.refreshMetadata() },
        rejoin: (error) => {
          if (error instanceof KafkaProtocolError && error.errorCode === UNKNOWN_MEMBER_ID) this.#memberId = ''
        },
      },
    })
  }

  /** The leader's work: every member's partitions, by the assignor the group chose. */
  async #assign (protocolName: string | null, members: JoinedMember[], skip: boolean): Promise<Array<{ memberId: string, assignment: Buffer }>> {
    const assignor = this.#host.options.assignors.find((a) => a.name === protocolName)
    if (assignor === undefined) throw kafkaError(KafkaErrorCode.INCONSISTENT_GROUP_PROTOCOL, `group ${this.#groupId} chose assignor ${protocolName}, which this member does not have`)
    const subscribers: AssignorMember[] = members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId ?? null,
      ...subscriptionOf(m.metadata),
    }))
    const topics = [...new Set(subscribers.flatMap((m) => m.topics))].sort()
    // Fresh: this generation may exist because a topic appeared or grew.
    const all = partitionCounts(await this.#host.cluster.refreshMetadata(topics), topics)
    const counts = new Map([...all].filter(([topic, count]) => {
      if (count === 0) this.#host.logger.warn({ group: this.#groupId, topic }, 'subscribed topic not in metadata: left out of the assignment until it appears')
      return count > 0
    }))
    this.#assignedCounts = all
    if (skip) return []
    const assignment = assignor.assign(subscribers, counts)
    return [...assignment].map(([memberId, partitions]) => ({ memberId, assignment: encodeAssignment({ partitions, userData: null }) }))
  }

  /** Heartbeats until the generation ends; returns the error that ended it. */
  async #heartbeat (): Promise<Error> {
    const { options } = this.#host
    const signal = this.#abort.signal
    for (;;) {
      try {
        await waitFor(this.#wake.next(), options.heartbeatIntervalMs, signal)
        if (signal.aborted) return new Error('closing')
        const reason = this.#stepOut?.reason ?? this.#rejoinReason
        if (reason !== undefined) return new Error(reason)
        await retry(async (context) => {
          const coordinator = await this.#host.cluster.coordinator('group', this.#groupId, { purpose: GROUP_CONNECTION })
          const response = await coordinator.request(apis.Heartbeat, {
            groupId: this.#groupId,
            generationId: this.#generationId,
            memberId: this.#memberId,
            groupInstanceId: options.groupInstanceId ?? null,
          }, { signal: context.signal })
          if (response.body.errorCode !== KafkaErrorCode.NONE) throw kafkaError(response.body.errorCode, `Heartbeat ${this.#groupId} at ${coordinator.label}`)
        }, {
          component: 'consumer',
          operation: 'heartbeat',
          capDelay: coordinatorLookCap,
          logger: this.#host.logger,
          metrics: this.#host.options.metrics,
          signal,
          // Past the session timeout the coordinator has removed us: the next heartbeat says so.
          policy: { initialDelayMs: options.retryBackoffMs, maxDelayMs: options.retryBackoffMaxMs, maxAttempts: Infinity, deadlineMs: options.sessionTimeoutMs },
          hooks: { 'refresh-coordinator': () => { this.#forgetCoordinator() }, reconnect: () => { this.#forgetCoordinator() } },
        })
      } catch (error) {
        if (signal.aborted) return error as Error
        const action = classify(error).action
        if (action === 'rejoin') return error as Error
        // No answer for a whole session: the coordinator's own session timer has run out by now,
        // so the group has dropped us and another member may own our partitions. Give them up
        // and join again (as a new member) once the coordinator answers.
        if (error instanceof DeadlineExceededError) return new SessionLostError(this.#groupId, options.sessionTimeoutMs, error)
        throw error
      }
    }
  }

  /**
   * Leaves (a static member only stops heartbeating, as Java's does: the group keeps its place
   * for the session timeout), gives the partitions up without a commit, waits for the
   * application, and lets the loop join again as a new member.
   */
  async #stepOutNow ({ reason, back }: { reason: string, back: Promise<void> }): Promise<void> {
    this.#host.logger.warn({ group: this.#groupId, memberId: this.#memberId, reason }, 'leaving the group until the application asks for more records')
    if (this.#host.options.groupInstanceId === undefined) await this.#leave(reason)
    else this.#generationId = -1
    if (this.#assignedOnce) await this.#host.revoke(false)
    this.#owned = []
    this.#assignedOnce = false
    await waitFor(back, undefined, this.#abort.signal)
    this.#stepOut = undefined
    this.#host.logger.info({ group: this.#groupId }, 'the application is back: joining the group again')
  }

  #forgetCoordinator (): void {
    this.#host.cluster.invalidateCoordinator('group', this.#groupId)
  }

  async #leave (reason = 'the consumer is closing'): Promise<void> {
    try {
      await retry(async (context) => {
        const coordinator = await this.#host.cluster.coordinator('group', this.#groupId, { purpose: GROUP_CONNECTION })
        const response = await coordinator.request(apis.LeaveGroup, {
          groupId: this.#groupId,
          memberId: this.#memberId,
          members: [{ memberId: this.#memberId, groupInstanceId: null, reason }],
        }, { signal: context.signal })
        const memberError = (response.body.members ?? []).find((m) => m.errorCode !== KafkaErrorCode.NONE)?.errorCode
        const code = response.body.errorCode !== KafkaErrorCode.NONE ? response.body.errorCode : memberError ?? KafkaErrorCode.NONE
        if (code !== KafkaErrorCode.NONE) throw kafkaError(code, `LeaveGroup ${this.#groupId} at ${coordinator.label}`)
      }, {
        component: 'consumer',
        operation: 'leave-group',
        capDelay: coordinatorLookCap,
        logger: this.#host.logger,
        metrics: this.#host.options.metrics,
        policy: { initialDelayMs: this.#host.options.retryBackoffMs, maxDelayMs: this.#host.options.retryBackoffMaxMs, maxAttempts: Infinity, deadlineMs: this.#host.options.requestTimeoutMs },
        hooks: { 'refresh-coordinator': () => { this.#forgetCoordinator() }, reconnect: () => { this.#forgetCoordinator() } },
      })
    } catch (error) {
      // The member is gone either way: the coordinator drops it after the session timeout.
      this.#host.logger.warn({ group: this.#groupId, err: (error as Error).message }, 'LeaveGroup failed; the group notices after the session timeout')
    }
    this.#memberId = ''
    this.#generationId = -1
  }
}
