/**
 * One partition's records from a Fetch answer, as the application should see them: control
 * batches (transaction markers) dropped, records before the fetch offset dropped (a compressed
 * batch is returned whole, so it can start before the offset asked for), and under
 * read_committed the batches of aborted transactions dropped, by the same walk as the Java
 * client: a producer is "aborted" from the first offset the broker lists for it until its abort
 * marker. The next fetch offset goes past every complete batch, control batches included.
 */
import { decodeRecordSet } from '../protocol/records/index.ts'
import type { KafkaRecord, RecordBatch } from '../protocol/records/types.ts'

export interface PartitionRecords {
  records: KafkaRecord[]
  /** Where the next Fetch starts; the fetch offset itself when no complete batch came. */
  nextOffset: bigint
}

interface AbortedTransaction {
  producerId: bigint
  firstOffset: bigint
}

/** The parts of a Fetch answer's partition read here (abortedTransactions from v4 on). */
export interface FetchedPartition {
  records: Buffer | null
  abortedTransactions?: readonly AbortedTransaction[] | null
}

export async function partitionRecords (data: FetchedPartition, fetchOffset: bigint, readCommitted: boolean): Promise<PartitionRecords> {
  const { batches } = await decodeRecordSet(data.records)
  const aborted = readCommitted ? abortedList(data.abortedTransactions) : []
  const abortedProducers = new Set<bigint>()
  const records: KafkaRecord[] = []
  let nextOffset = fetchOffset
  for (const batch of batches) {
    const lastOffset = batch.baseOffset + BigInt(batch.lastOffsetDelta)
    if (lastOffset < fetchOffset) continue
    nextOffset = lastOffset + 1n
    while (aborted.length > 0 && (aborted[0] as AbortedTransaction).firstOffset <= lastOffset) {
      abortedProducers.add((aborted.shift() as AbortedTransaction).producerId)
    }
    if (batch.isControl) {
      if (batch.controlType === 'abort') abortedProducers.delete(batch.producerId)
      continue
    }
    if (isAborted(batch, abortedProducers)) continue
    for (const record of batch.records) if (record.offset >= fetchOffset) records.push(record)
  }
  return { records, nextOffset }
}

function isAborted (batch: RecordBatch, abortedProducers: ReadonlySet<bigint>): boolean {
  return batch.isTransactional && abortedProducers.has(batch.producerId)
}

function abortedList (value: readonly AbortedTransaction[] | null | undefined): AbortedTransaction[] {
  if (!Array.isArray(value)) return []
  return value
    .map((t) => ({ producerId: t.producerId, firstOffset: t.firstOffset }))
    .sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0))
}
