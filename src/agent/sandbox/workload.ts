/**
 * A little traffic so the sandbox's lag panel has something to show: orders are produced every
 * tick, and three groups commit differently — `billing` keeps up (OK), `analytics` commits half
 * of what arrives (its lag grows: WARN), `audit` committed once and stopped (ERR).
 */
import { Admin } from '../../admin/admin.ts'
import type { Logger } from '../../observability/logger.ts'
import { Producer } from '../../producer/producer.ts'

export interface Workload { stop: () => Promise<void> }

const TOPIC = 'orders'

export async function startWorkload (bootstrap: string, logger: Logger, tickMs = 1000): Promise<Workload> {
  const producer = new Producer({ bootstrap, logger })
  const admin = new Admin({ bootstrap, logger })
  let n = 0
  const produce = async (): Promise<void> => {
    await Promise.all(Array.from({ length: 6 }, () => producer.send({ topic: TOPIC, key: `order-${n++}`, value: JSON.stringify({ id: n, at: Date.now() }) })))
  }
  const commit = async (): Promise<void> => {
    const latest = await admin.listOffsets([{ topic: TOPIC }], 'latest')
    await admin.alterConsumerGroupOffsets('billing', latest.map((l) => ({ topic: TOPIC, partition: l.partition, offset: l.offset })))
    await admin.alterConsumerGroupOffsets('analytics', latest.map((l) => ({ topic: TOPIC, partition: l.partition, offset: l.offset / 2n })))
  }
  await produce()
  await admin.alterConsumerGroupOffsets('audit', [0, 1, 2].map((partition) => ({ topic: TOPIC, partition, offset: 0 })))
  await commit()
  let running: Promise<void> = Promise.resolve()
  const timer = setInterval(() => {
    running = running.then(async () => { await produce(); await commit() }).catch((error: unknown) => {
      logger.warn({ err: (error as Error).message }, 'sandbox workload: a tick failed; the next one tries again')
    })
  }, tickMs)
  return {
    stop: async () => {
      clearInterval(timer)
      await running
      await producer.close()
      await admin.close()
    },
  }
}
