/**
 * The simulator's Kafka cluster: brokers with log directories, topics, and where every replica of
 * every partition lives. Proposals are computed from it the way Cruise Control's goals would shape
 * them, in miniature: replica-count balance across brokers, leader balance, moving everything off
 * removed brokers or log directories, and moving onto added brokers only.
 */
import { InvalidArgumentError } from '../../resilience/errors.ts'

export interface SimBrokerSpec {
  id: number
  host?: string
  rack?: string
  logDirs?: string[]
}

export interface SimTopicSpec {
  name: string
  partitions: number
  replicationFactor: number
  /** Size of each replica, in MB. Default 100. */
  partitionSizeMB?: number
}

export interface ClusterSpec {
  /** Brokers, or a count (ids 0..n-1). Default 4. */
  brokers?: SimBrokerSpec[] | number
  /** Brokers that hold no replicas at start (just added to the cluster). Default: the last broker. */
  emptyBrokers?: number[]
  /** Default: DEFAULT_TOPICS, each replicated at most once per broker that holds replicas. */
  topics?: SimTopicSpec[]
}

export interface Partition {
  topic: string
  partition: number
  /** replicas[0] is the leader. */
  replicas: number[]
  /** The log directory of each replica, index-aligned with replicas. */
  logDirs: string[]
  sizeMB: number
}

/** One partition's change: replicas moved between brokers, leadership moved, or replicas moved between disks. */
export interface Move {
  topic: string
  partition: number
  oldReplicas: number[]
  newReplicas: number[]
  oldLogDirs: string[]
  newLogDirs: string[]
  sizeMB: number
  /** Replicas that change broker. */
  interBrokerMoves: number
  /** Replicas that change log directory on the same broker. */
  intraBrokerMoves: number
  leaderChanged: boolean
}

export interface Plan {
  moves: Move[]
  excludedTopics: string[]
  /** Balancedness of replica counts before and after, 0..100. */
  scoreBefore: number
  scoreAfter: number
  /** Loads as brokers would see them after the plan. */
  after: Partition[]
}

export const DEFAULT_TOPICS: SimTopicSpec[] = [
  { name: 'orders', partitions: 12, replicationFactor: 3, partitionSizeMB: 120 },
  { name: 'payments', partitions: 6, replicationFactor: 2, partitionSizeMB: 60 },
  { name: 'audit-log', partitions: 8, replicationFactor: 2, partitionSizeMB: 20 },
]

export class ClusterModel {
  readonly brokers: Required<SimBrokerSpec>[]
  #partitions: Partition[]

  constructor (spec: ClusterSpec = {}) {
    const brokers: SimBrokerSpec[] = typeof spec.brokers === 'number' || spec.brokers === undefined
      ? Array.from({ length: typeof spec.brokers === 'number' ? spec.brokers : 4 }, (_, id) => ({ id }))
      : spec.brokers
    if (brokers.length === 0) throw new InvalidArgumentError('cruise-control simulator: the cluster needs at least one broker')
    this.brokers = brokers.map((b) => ({
      id: b.id,
      host: b.host ?? `broker-${b.id}.local`,
      rack: b.rack ?? `rack-${b.id % 3}`,
      logDirs: b.logDirs ?? ['/var/lib/kafka/data-0', '/var/lib/kafka/data-1'],
    }))
    const empty = new Set(spec.emptyBrokers ?? (this.brokers.length > 1 ? [this.brokers[this.brokers.length - 1].id] : []))
    const holders = this.brokers.filter((b) => !empty.has(b.id))
    if (holders.length === 0) throw new InvalidArgumentError('cruise-control simulator: every broker is empty; nothing can hold replicas')
    this.#partitions = []
    // The sample topics fit any cluster (`testkit cruise-control --brokers 3` holds replicas on two
    // brokers); topics given are taken as they are, and refused when they cannot fit.
    const topics = spec.topics ?? DEFAULT_TOPICS.map((t) => ({ ...t, replicationFactor: Math.min(t.replicationFactor, holders.length) }))
    for (const topic of topics) {
      if (topic.replicationFactor > holders.length) {
        throw new InvalidArgumentError(`cruise-control simulator: topic ${topic.name} has replication factor ${topic.replicationFactor} but only ${holders.length} brokers hold replicas`)
      }
      for (let p = 0; p < topic.partitions; p++) {
        // Leaders start on the first two brokers only, so leader balance always has work to do.
        const first = p % Math.min(2, holders.length)
        const replicas = Array.from({ length: topic.replicationFactor }, (_, r) => holders[(first + r) % holders.length])
        this.#partitions.push({
          topic: topic.name,
          partition: p,
          replicas: replicas.map((b) => b.id),
          logDirs: replicas.map((b) => b.logDirs[p % b.logDirs.length]),
          sizeMB: topic.partitionSizeMB ?? 100,
        })
      }
    }
  }

  get partitions (): readonly Partition[] { return this.#partitions }

  hasBroker (id: number): boolean {
    return this.brokers.some((b) => b.id === id)
  }

  /** Applies one finished move to the live assignment. */
  apply (move: Move): void {
    const p = this.#partitions.find((x) => x.topic === move.topic && x.partition === move.partition)
    if (p === undefined) return
    p.replicas = [...move.newReplicas]
    p.logDirs = [...move.newLogDirs]
  }

  /** Replica and leader counts and disk use per broker, for `partitions` (default the live ones). */
  brokerLoad (partitions: readonly Partition[] = this.#partitions): Array<{ id: number, host: string, rack: string, replicas: number, leaders: number, diskMB: number }> {
    return this.brokers.map((b) => {
      let replicas = 0
      let leaders = 0
      let diskMB = 0
      for (const p of partitions) {
        const i = p.replicas.indexOf(b.id)
        if (i < 0) continue
        replicas++
        diskMB += p.sizeMB
        if (i === 0) leaders++
      }
      return { id: b.id, host: b.host, rack: b.rack, replicas, leaders, diskMB }
    })
  }

  #checkBrokers (ids: number[]): void {
    for (const id of ids) {
      if (!this.hasBroker(id)) throw new IllegalArgument(`Broker ${id} does not exist.`)
    }
  }

  /** A full rebalance, or add_broker (moves only onto `added`), or remove_broker (moves everything off `removed`). */
  planRebalance (options: { added?: number[], removed?: number[], excludedTopics?: string }): Plan {
    const added = options.added ?? []
    const removed = options.removed ?? []
    this.#checkBrokers([...added, ...removed])
    const excluded = excludedMatcher(options.excludedTopics)
    const work = this.#partitions.map(clonePartition)
    const eligible = this.brokers.filter((b) => !removed.includes(b.id)).map((b) => b.id)
    if (eligible.length === 0) throw new IllegalArgument('Cannot remove every broker of the cluster.')
    const counts = countReplicas(work, eligible)
    const brokerOf = (id: number): Required<SimBrokerSpec> => this.brokers.find((b) => b.id === id) ?? this.brokers[0]

    const moveReplica = (p: Partition, index: number, to: number): void => {
      const from = p.replicas[index]
      p.replicas[index] = to
      p.logDirs[index] = brokerOf(to).logDirs[0]
      if (counts.has(from)) counts.set(from, (counts.get(from) ?? 0) - 1)
      counts.set(to, (counts.get(to) ?? 0) + 1)
    }
    const lightest = (candidates: number[], p: Partition): number | undefined =>
      candidates.filter((b) => !p.replicas.includes(b)).sort((a, b) => (counts.get(a) ?? 0) - (counts.get(b) ?? 0) || a - b)[0]

    for (const p of work) {
      for (let i = 0; i < p.replicas.length; i++) {
        if (!removed.includes(p.replicas[i])) continue
        const to = lightest(eligible, p)
        if (to === undefined) throw new IllegalArgument(`Not enough brokers left to hold ${p.topic}-${p.partition} after removing ${removed.join(',')}.`)
        moveReplica(p, i, to)
      }
    }
    const destinations = added.length > 0 ? added : eligible
    for (let guard = 0; guard < 10_000; guard++) {
      const sorted = [...eligible].sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || a - b)
      const target = [...destinations].sort((a, b) => (counts.get(a) ?? 0) - (counts.get(b) ?? 0) || a - b)[0]
      const source = sorted.find((b) => b !== target && (counts.get(b) ?? 0) - (counts.get(target) ?? 0) > 1)
      if (source === undefined) break
      const candidate = work.find((p) => !excluded(p.topic) && p.replicas.includes(source) && !p.replicas.includes(target))
      if (candidate === undefined) break
      moveReplica(candidate, candidate.replicas.indexOf(source), target)
    }
    if (added.length === 0) balanceLeaders(work, eligible, excluded)
    return this.#plan(work, eligible, excluded)
  }

  /** demote_broker: leadership moves off the demoted brokers; no data moves. */
  planDemote (brokers: number[], excludedTopics?: string): Plan {
    this.#checkBrokers(brokers)
    const excluded = excludedMatcher(excludedTopics)
    const work = this.#partitions.map(clonePartition)
    for (const p of work) {
      if (excluded(p.topic) || !brokers.includes(p.replicas[0])) continue
      const i = p.replicas.findIndex((b) => !brokers.includes(b))
      if (i > 0) swap(p, 0, i)
    }
    return this.#plan(work, this.brokers.map((b) => b.id), excluded)
  }

  /** remove_disks: every replica on the given log directories moves to another directory of the same broker. */
  planRemoveDisks (dirsByBroker: Map<number, string[]>): Plan {
    this.#checkBrokers([...dirsByBroker.keys()])
    const work = this.#partitions.map(clonePartition)
    for (const [id, dirs] of dirsByBroker) {
      const broker = this.brokers.find((b) => b.id === id)
      if (broker === undefined) continue
      for (const dir of dirs) {
        if (!broker.logDirs.includes(dir)) throw new IllegalArgument(`Log directory ${dir} on broker ${id} does not exist.`)
      }
      const remaining = broker.logDirs.filter((d) => !dirs.includes(d))
      if (remaining.length === 0) throw new IllegalArgument(`No log directory would remain on broker ${id}.`)
      let next = 0
      for (const p of work) {
        const i = p.replicas.indexOf(id)
        if (i >= 0 && dirs.includes(p.logDirs[i])) p.logDirs[i] = remaining[next++ % remaining.length]
      }
    }
    return this.#plan(work, this.brokers.map((b) => b.id), () => false)
  }

  #plan (work: Partition[], eligible: number[], excluded: (topic: string) => boolean): Plan {
    const moves: Move[] = []
    for (const [i, before] of this.#partitions.entries()) {
      const after = work[i]
      const interBrokerMoves = after.replicas.filter((b) => !before.replicas.includes(b)).length
      const intraBrokerMoves = after.replicas.filter((b, j) => before.replicas.includes(b) && before.logDirs[before.replicas.indexOf(b)] !== after.logDirs[j]).length
      const leaderChanged = before.replicas[0] !== after.replicas[0]
      if (interBrokerMoves === 0 && intraBrokerMoves === 0 && !leaderChanged) continue
      moves.push({
        topic: after.topic,
        partition: after.partition,
        oldReplicas: [...before.replicas],
        newReplicas: [...after.replicas],
        oldLogDirs: [...before.logDirs],
        newLogDirs: [...after.logDirs],
        sizeMB: after.sizeMB,
        interBrokerMoves,
        intraBrokerMoves,
        leaderChanged,
      })
    }
    const topics = [...new Set(this.#partitions.map((p) => p.topic))]
    return {
      moves,
      excludedTopics: topics.filter(excluded),
      scoreBefore: balancedness(countReplicas(this.#partitions, eligible)),
      scoreAfter: balancedness(countReplicas(work, eligible)),
      after: work,
    }
  }
}

/** Cruise Control's error for a request that names something the cluster does not have. */
export class IllegalArgument extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'java.lang.IllegalArgumentException'
  }
}

function clonePartition (p: Partition): Partition {
  return { ...p, replicas: [...p.replicas], logDirs: [...p.logDirs] }
}

function swap (p: Partition, i: number, j: number): void {
  [p.replicas[i], p.replicas[j]] = [p.replicas[j], p.replicas[i]];
  [p.logDirs[i], p.logDirs[j]] = [p.logDirs[j], p.logDirs[i]]
}

function countReplicas (partitions: readonly Partition[], brokers: number[]): Map<number, number> {
  const counts = new Map(brokers.map((b) => [b, 0]))
  for (const p of partitions) {
    for (const b of p.replicas) if (counts.has(b)) counts.set(b, (counts.get(b) ?? 0) + 1)
  }
  return counts
}

/** Makes the least-leading replica of each partition its leader while that narrows the spread of leader counts. */
function balanceLeaders (work: Partition[], brokers: number[], excluded: (topic: string) => boolean): void {
  const leaders = new Map(brokers.map((b) => [b, 0]))
  for (const p of work) leaders.set(p.replicas[0], (leaders.get(p.replicas[0]) ?? 0) + 1)
  for (const p of work) {
    if (excluded(p.topic)) continue
    const current = p.replicas[0]
    let best = 0
    for (let i = 1; i < p.replicas.length; i++) {
      if ((leaders.get(p.replicas[i]) ?? 0) < (leaders.get(p.replicas[best]) ?? 0)) best = i
    }
    if (best === 0 || (leaders.get(current) ?? 0) - (leaders.get(p.replicas[best]) ?? 0) <= 1) continue
    leaders.set(current, (leaders.get(current) ?? 0) - 1)
    leaders.set(p.replicas[best], (leaders.get(p.replicas[best]) ?? 0) + 1)
    swap(p, 0, best)
  }
}

function balancedness (counts: Map<number, number>): number {
  const values = [...counts.values()]
  const max = Math.max(0, ...values)
  if (max === 0) return 100
  return Math.round((100 * Math.min(...values)) / max * 1000) / 1000
}

function excludedMatcher (pattern: string | undefined): (topic: string) => boolean {
  if (pattern === undefined || pattern === '') return () => false
  let regex: RegExp
  try {
    regex = new RegExp(`^(?:${pattern})$`)
  } catch {
    throw new IllegalArgument(`Invalid excluded_topics pattern ${pattern}.`)
  }
  return (topic) => regex.test(topic)
}
