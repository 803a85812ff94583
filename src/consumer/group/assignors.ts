/**
 * Partition assignors for the classic group protocol, run by the group leader. `range` and
 * `roundrobin` place partitions exactly as the Java client's RangeAssignor and
 * RoundRobinAssignor do (members ordered by member id), so a mixed group agrees whichever member
 * leads. `cooperative-sticky` (cooperative-sticky.ts) keeps partitions where they are.
 */

export interface AssignorMember {
  memberId: string
  groupInstanceId: string | null
  topics: string[]
  /** What the member holds now, by topic, when its subscription says (cooperative members do). */
  ownedPartitions?: ReadonlyMap<string, number[]>
}

/** member id → topic → partitions. */
export type GroupAssignment = Map<string, Map<string, number[]>>

export interface Assignor {
  /** The protocol name members announce (Java: `range`, `roundrobin`). */
  name: string
  /**
   * 'eager' (default): every member gives up every partition before a rejoin. 'cooperative'
   * (KIP-429): members keep their partitions through a rebalance and give up only those the new
   * assignment leaves out; the assignor never hands a partition to a new owner in the generation
   * its old owner still holds it.
   */
  rebalanceProtocol?: 'eager' | 'cooperative'
  assign: (members: AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>) => GroupAssignment
}

function emptyAssignment (members: AssignorMember[]): GroupAssignment {
  return new Map(members.map((m) => [m.memberId, new Map<string, number[]>()]))
}

function byMemberId (a: AssignorMember, b: AssignorMember): number {
  return a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0
}

function give (assignment: GroupAssignment, memberId: string, topic: string, partition: number): void {
  const topics = assignment.get(memberId) as Map<string, number[]>
  topics.set(topic, [...(topics.get(topic) ?? []), partition])
}

/** Per topic, consecutive ranges: the first (partitions % members) members take one more. */
export const rangeAssignor: Assignor = {
  name: 'range',
  assign (members, partitionsPerTopic) {
    const assignment = emptyAssignment(members)
    const topics = [...new Set(members.flatMap((m) => m.topics))].sort()
    for (const topic of topics) {
      const count = partitionsPerTopic.get(topic)
      if (count === undefined) continue
      const subscribers = members.filter((m) => m.topics.includes(topic)).sort(byMemberId)
      const each = Math.floor(count / subscribers.length)
      const extra = count % subscribers.length
      let next = 0
      subscribers.forEach((member, i) => {
        const n = each + (i < extra ? 1 : 0)
        for (let k = 0; k < n; k++) give(assignment, member.memberId, topic, next++)
      })
    }
    return assignment
  },
}

/** Every partition of every subscribed topic, in (topic, partition) order, dealt to the members in turn. */
export const roundRobinAssignor: Assignor = {
  name: 'roundrobin',
  assign (members, partitionsPerTopic) {
    const assignment = emptyAssignment(members)
    const sorted = [...members].sort(byMemberId)
    if (sorted.length === 0) return assignment
    const topics = [...new Set(members.flatMap((m) => m.topics))].filter((t) => partitionsPerTopic.has(t)).sort()
    let turn = 0
    for (const topic of topics) {
      for (let partition = 0; partition < (partitionsPerTopic.get(topic) as number); partition++) {
        // The next member in the circle that subscribes to the topic.
        for (let tries = 0; tries < sorted.length; tries++) {
          const member = sorted[turn++ % sorted.length] as AssignorMember
          if (member.topics.includes(topic)) {
            give(assignment, member.memberId, topic, partition)
            break
          }
        }
      }
    }
    return assignment
  },
}
