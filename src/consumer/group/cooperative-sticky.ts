/**
 * The `cooperative-sticky` assignor (KIP-429): balanced like round robin (member partition counts
 * differ by at most one when members subscribe alike), sticky (a member keeps what it owns as
 * long as balance allows), and cooperative: a partition that moves is only taken from its owner
 * in this generation and given to its new owner in the next one, after the owner has revoked it
 * and rejoined. So a partition is never held by two members, and partitions that stay are never
 * revoked. Same protocol name as the Java client's CooperativeStickyAssignor; the placement is
 * this file's own (any valid cooperative assignment interoperates, whichever member leads).
 */
import type { Assignor, AssignorMember, GroupAssignment } from './assignors.ts'

type Key = string
const keyOf = (topic: string, partition: number): Key => `${topic}\u0000${partition}`

function byMemberId (a: AssignorMember, b: AssignorMember): number {
  return a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0
}

export const cooperativeStickyAssignor: Assignor = {
  name: 'cooperative-sticky',
  rebalanceProtocol: 'cooperative',
  assign (members, partitionsPerTopic) {
    const sorted = [...members].sort(byMemberId)
    const all: Array<{ topic: string, partition: number }> = []
    for (const topic of [...new Set(sorted.flatMap((m) => m.topics))].filter((t) => partitionsPerTopic.has(t)).sort()) {
      for (let partition = 0; partition < (partitionsPerTopic.get(topic) as number); partition++) all.push({ topic, partition })
    }
    const valid = new Set(all.map((p) => keyOf(p.topic, p.partition)))
    // Who owns what now (the first claimant, by member id, when two claim one partition).
    const owner = new Map<Key, string>()
    const kept = new Map<string, Array<{ topic: string, partition: number }>>(sorted.map((m) => [m.memberId, []]))
    for (const m of sorted) {
      for (const [topic, partitions] of m.ownedPartitions ?? []) {
        if (!m.topics.includes(topic)) continue
        for (const partition of partitions) {
          const key = keyOf(topic, partition)
          if (valid.has(key) && !owner.has(key)) {
            owner.set(key, m.memberId)
            kept.get(m.memberId)?.push({ topic, partition })
          }
        }
      }
    }
    // Balance: at most ceil(n/m) each, and only n % m members may have that many.
    const base = sorted.length === 0 ? 0 : Math.floor(all.length / sorted.length)
    let extra = sorted.length === 0 ? 0 : all.length % sorted.length
    const place = new Map<string, Array<{ topic: string, partition: number }>>()
    for (const m of [...sorted].sort((a, b) => (kept.get(b.memberId)?.length ?? 0) - (kept.get(a.memberId)?.length ?? 0) || byMemberId(a, b))) {
      const mine = kept.get(m.memberId) ?? []
      const allowed = extra > 0 && mine.length > base ? base + 1 : base
      if (allowed > base) extra--
      place.set(m.memberId, mine.slice(0, allowed))
    }
    const placed = new Set([...place.values()].flat().map((p) => keyOf(p.topic, p.partition)))
    // The rest, in (topic, partition) order, to the least loaded member that subscribes to it.
    for (const p of all) {
      if (placed.has(keyOf(p.topic, p.partition))) continue
      let best: AssignorMember | undefined
      for (const m of sorted) {
        if (!m.topics.includes(p.topic)) continue
        if (best === undefined || (place.get(m.memberId)?.length ?? 0) < (place.get(best.memberId)?.length ?? 0)) best = m
      }
      if (best !== undefined) place.get(best.memberId)?.push(p)
    }
    // Cooperative: what another member still owns waits for the next generation.
    const assignment: GroupAssignment = new Map(sorted.map((m) => [m.memberId, new Map<string, number[]>()]))
    for (const [memberId, list] of place) {
      const topics = assignment.get(memberId) as Map<string, number[]>
      for (const p of list) {
        const current = owner.get(keyOf(p.topic, p.partition))
        if (current !== undefined && current !== memberId) continue
        topics.set(p.topic, [...(topics.get(p.topic) ?? []), p.partition])
      }
    }
    for (const topics of assignment.values()) for (const list of topics.values()) list.sort((a, b) => a - b)
    return assignment
  },
}
