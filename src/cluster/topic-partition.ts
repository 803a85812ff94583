/**
 * The one map key for a topic-partition. A NUL byte cannot occur in a topic name, so no two
 * partitions share a key (a dash can: `a-1` partition 0 and `a` partition `1-0` are told apart only
 * by knowing partitions are numbers). Messages show partitions as `topic-partition` instead.
 */
export function tpKey (topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}
