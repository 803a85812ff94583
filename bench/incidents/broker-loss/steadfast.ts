/**
 * Incident 5's steadfast side: the same word-count graph as the Goka program (key = word, value =
 * the record's sequence within its word; the table holds "<count> <last sequence>" per word), on
 * steadfast's processor with its defaults (in-memory store, the table topic created compacted).
 */
import { createLogger } from '../../../src/observability/logger.ts'
import { Processor, defineGroup, input, persist, stringCodec, type Context } from '../../../src/processor/index.ts'
import type { ProcessorSide, SideSummary } from './scenario.ts'

export const steadfastProcessor: ProcessorSide = async ({ bootstrap, input: topic, group, durationMs }) => {
  const s: SideSummary = { stopped: false, stoppedAtMs: 0, error: '', processed: 0, appliedTwice: 0, longestGapMs: 0 }
  const started = performance.now()
  let lastAt = -1
  const graph = defineGroup(group,
    input(topic, stringCodec, (ctx: Context<string>, value: string) => {
      const [count, last] = (ctx.value() ?? '0 0').split(' ').map(Number) as [number, number]
      const seq = Number(value)
      ctx.setValue(`${count + 1} ${seq}`)
      const now = performance.now()
      if (lastAt >= 0) s.longestGapMs = Math.max(s.longestGapMs, now - lastAt)
      lastAt = now
      s.processed++
      if (seq <= last) s.appliedTwice++
    }),
    persist(stringCodec)
  )
  const processor = new Processor(graph, { bootstrap, createTopics: { replicationFactor: 3 }, logger: createLogger({ level: 'silent' }) })
  const timer = setTimeout(() => { processor.stop().catch(() => {}) }, durationMs)
  try {
    await processor.run()
  } catch (error) {
    s.stopped = true
    s.stoppedAtMs = Math.round(performance.now() - started)
    s.error = (error as Error).message
  } finally {
    clearTimeout(timer)
  }
  s.longestGapMs = Math.round(s.longestGapMs)
  return s
}
