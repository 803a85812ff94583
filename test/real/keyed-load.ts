/**
 * Continuous producer load: one loop per partition sends keyed records (`p<partition>-<seq>`,
 * sequence in send order) with at most `window` unacknowledged at a time, until stopped. Every
 * send's outcome is kept; `whenAcked(n)` resolves once n more records are acknowledged, so a test
 * waits on progress it can observe, not on time.
 */
import type { Producer } from '../../src/producer/producer.ts'
import type { SentRecord } from './delivery-audit.ts'
import { keyOf } from './delivery-audit.ts'

export interface Load {
  readonly sent: SentRecord[]
  /** Acknowledged so far, per partition. */
  readonly acked: number[]
  /** Resolves once `count` more records are acknowledged (on the given partitions, default all). */
  whenAcked: (count: number, partitions?: number[]) => Promise<void>
  /** Stops sending, then waits until every send has settled; returns the rejections. */
  stop: () => Promise<unknown[]>
}

export function keyedLoad (producer: Producer, topic: string, partitions: number, window = 200): Load {
  const sent: SentRecord[] = []
  const acked = new Array<number>(partitions).fill(0)
  const failures: unknown[] = []
  const outcomes: Array<Promise<void>> = []
  const waiters: Array<{ target: number, partitions: number[], resolve: () => void }> = []
  const state = { running: true }
  const total = (ps: number[]): number => ps.reduce((n, p) => n + (acked[p] ?? 0), 0)
  const all = Array.from({ length: partitions }, (_, p) => p)
  const onAck = (): void => {
    for (const w of waiters.splice(0)) {
      if (total(w.partitions) >= w.target) w.resolve()
      else waiters.push(w)
    }
  }
  const loop = async (partition: number): Promise<void> => {
    const inFlight: Array<Promise<void>> = []
    for (let seq = 0; state.running; seq++) {
      const record: SentRecord = { partition, seq, ackedOffset: undefined }
      sent.push(record)
      const outcome = producer.send({ topic, partition, key: keyOf(partition, seq), value: `value-${seq}` }).then((metadata) => {
        record.ackedOffset = metadata.offset
        acked[partition] = (acked[partition] ?? 0) + 1
        onAck()
      }, (error: unknown) => { failures.push(error) })
      outcomes.push(outcome)
      inFlight.push(outcome)
      if (inFlight.length >= window) await inFlight.shift()
    }
  }
  const loops = all.map(loop)
  return {
    sent,
    acked,
    whenAcked: async (count, ps = all) => await new Promise<void>((resolve) => {
      waiters.push({ target: total(ps) + count, partitions: ps, resolve })
    }),
    stop: async () => {
      state.running = false
      await Promise.all(loops)
      await Promise.all(outcomes)
      return failures
    },
  }
}
