/**
 * The co-partitioning assignor: every member gets the same partition numbers of every topic the
 * group reads (inputs and loop), so partition n of each input lands where partition n of the table
 * is kept. Partition numbers are dealt out as consecutive ranges over the members ordered by id.
 * The consumer takes it through its `assignors` option.
 */
import type { Assignor, GroupAssignment } from '../consumer/group/assignors.ts'

export const copartitionedAssignor: Assignor = {
  name: 'steadfast-copartitioned',
  assign (members, partitionsPerTopic) {
    const sorted = [...members].sort((a, b) => a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0)
    const assignment: GroupAssignment = new Map(sorted.map((m) => [m.memberId, new Map<string, number[]>()]))
    if (sorted.length === 0) return assignment
    const count = Math.max(0, ...[...new Set(members.flatMap((m) => m.topics))].map((t) => partitionsPerTopic.get(t) ?? 0))
    const each = Math.floor(count / sorted.length)
    const extra = count % sorted.length
    let next = 0
    sorted.forEach((member, i) => {
      const n = each + (i < extra ? 1 : 0)
      const topics = assignment.get(member.memberId) as Map<string, number[]>
      for (const topic of member.topics) {
        const partitions = partitionsPerTopic.get(topic) ?? 0
        const mine: number[] = []
        for (let p = next; p < next + n; p++) if (p < partitions) mine.push(p)
        if (mine.length > 0) topics.set(topic, mine)
      }
      next += n
    })
    return assignment
  },
}
