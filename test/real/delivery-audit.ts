/**
 * Compares what a producer was told (each send's outcome) with what a reader found in a
 * partition's log, record by record (key and sequence), and counts every kind of difference
 * instead of stopping at the first: lost, duplicated, present though never acknowledged, out of
 * order, or at another offset than the one `send` reported.
 */
export interface SentRecord {
  partition: number
  /** Per-partition sequence number, 0.. in send order; the key is `keyOf(partition, seq)`. */
  seq: number
  /** The offset `send` resolved with, or undefined when it rejected or never settled. */
  ackedOffset: bigint | undefined
}

export interface LogRecord {
  offset: number
  key: string | null
}

export interface DeliveryReport {
  sent: number
  acked: number
  readBack: number
  /** Extra copies: a key found n times adds n - 1. */
  duplicates: number
  /** Acknowledged, not in the log. */
  lost: number
  /** In the log, never acknowledged (its send failed or never settled). */
  unackedPresent: number
  /** Records whose sequence is not above the one before it in the log. */
  outOfOrder: number
  /** Acknowledged records found at another offset than the one send reported. */
  offsetMismatches: number
  /** Keys in the log that no send produced. */
  foreign: number
}

export function keyOf (partition: number, seq: number): string {
  return `p${partition}-${seq}`
}

export function audit (sent: SentRecord[], logs: Map<number, LogRecord[]>): DeliveryReport {
  const report: DeliveryReport = { sent: sent.length, acked: 0, readBack: 0, duplicates: 0, lost: 0, unackedPresent: 0, outOfOrder: 0, offsetMismatches: 0, foreign: 0 }
  const byKey = new Map(sent.map((s) => [keyOf(s.partition, s.seq), s]))
  const found = new Map<string, number[]>()
  for (const [partition, log] of logs) {
    let lastSeq = -1
    for (const record of log) {
      report.readBack++
      const s = record.key === null ? undefined : byKey.get(record.key)
      if (s === undefined || s.partition !== partition) {
        report.foreign++
        continue
      }
      if (s.seq <= lastSeq) report.outOfOrder++
      lastSeq = s.seq
      found.set(record.key as string, [...(found.get(record.key as string) ?? []), record.offset])
    }
  }
  for (const s of sent) {
    const offsets = found.get(keyOf(s.partition, s.seq)) ?? []
    if (offsets.length > 1) report.duplicates += offsets.length - 1
    if (s.ackedOffset === undefined) {
      if (offsets.length > 0) report.unackedPresent++
      continue
    }
    report.acked++
    if (offsets.length === 0) report.lost++
    else if (!offsets.includes(Number(s.ackedOffset))) report.offsetMismatches++
  }
  return report
}
