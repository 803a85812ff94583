/**
 * Shared by the processor tests: a word count with a table, a loopback and an output; its input
 * made from a fixed vocabulary by a seeded generator; the expectation computed by plain JS; and
 * the check of what the processor left in Kafka, read by an independent client.
 *
 * Every word occurrence carries its source (`topic/partition/offset/index`) through the loopback
 * to the output, so a record applied twice shows up as a repeated source: tests count and report
 * duplicates instead of assuming there are none.
 */
import assert from 'node:assert/strict'
import type { Admin } from '../../src/admin/admin.ts'
import { defineGroup, input, jsonCodec, loop, output, persist, stringCodec, type Context, type GroupGraph, type Processor } from '../../src/processor/index.ts'
import { keyPartition } from '../../src/producer/murmur2.ts'

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima', 'mike', 'november', 'oscar', 'papa', 'quebec', 'romeo', 'sierra', 'tango', 'uniform', 'victor', 'whiskey', 'xray', 'yankee', 'zulu']

/** `count` lines of 1–8 words, the same for the same seed. */
export function sentences (count: number, seed = 1): string[] {
  let state = seed
  const next = (n: number): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    return state % n
  }
  return Array.from({ length: count }, () => Array.from({ length: 1 + next(8) }, () => WORDS[next(WORDS.length)]).join(' '))
}

export function expectedCounts (lines: string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const line of lines) for (const word of line.split(' ')) counts.set(word, (counts.get(word) ?? 0) + 1)
  return counts
}

export interface Counted { src: string, count: number }

export function wordCount (group: string, inputTopic: string, outputTopic: string): GroupGraph {
  return defineGroup(group,
    input(inputTopic, stringCodec, (ctx, line: string) => {
      line.split(' ').forEach((word, i) => { ctx.loopback(word, `${ctx.topic}/${ctx.partition}/${ctx.offset}/${i}`) })
    }),
    loop(stringCodec, (ctx: Context<number>, src: string) => {
      const count = (ctx.value() ?? 0) + 1
      ctx.setValue(count)
      ctx.emit(outputTopic, ctx.key, { src, count })
    }),
    persist(jsonCodec<number>()),
    output(outputTopic, jsonCodec<Counted>())
  )
}

export interface KeyValue { partition: number, key: string, value: string }

export interface WordCountReport {
  /** Word occurrences applied to the table more than once (final count minus expected, summed). */
  duplicatesApplied: number
  /** Sources that appear more than once in the output. */
  repeatedSources: string[]
}

/**
 * The table (last value per key) equals the expected counts plus the duplicates; every key sits
 * in the partition murmur2 gives it; every word occurrence reached the output (none lost), and
 * per word the counts emitted never go back (a record reprocessed after a fault may repeat one), ending at the table's value.
 */
export function checkWordCount (expected: Map<string, number>, table: KeyValue[], out: KeyValue[], partitions: number, { exact }: { exact: boolean }): WordCountReport {
  const final = new Map<string, number>()
  for (const r of table) {
    assert.equal(r.partition, keyPartition(Buffer.from(r.key), partitions), `table key ${r.key} is in the partition of its key`)
    final.set(r.key, Number(r.value))
  }
  assert.deepEqual([...final.keys()].sort(), [...expected.keys()].sort(), 'table keys are the words of the input')
  let duplicatesApplied = 0
  for (const [word, n] of expected) {
    const got = final.get(word) as number
    assert.ok(got >= n, `${word}: table ${got} reflects all ${n} occurrences`)
    duplicatesApplied += got - n
  }
  const seen = new Map<string, number>()
  const byWord = new Map<string, number[]>()
  for (const r of out) {
    const { src, count } = JSON.parse(r.value) as Counted
    seen.set(src, (seen.get(src) ?? 0) + 1)
    byWord.set(r.key, [...(byWord.get(r.key) ?? []), count])
  }
  const total = [...expected.values()].reduce((a, b) => a + b, 0)
  assert.equal(seen.size, total, 'every word occurrence reached the output')
  for (const [word, counts] of byWord) {
    assert.equal(counts[counts.length - 1], final.get(word), `${word}: last emitted count is the table's`)
    if (exact) assert.deepEqual(counts, Array.from({ length: expected.get(word) as number }, (_, i) => i + 1), `${word}: counts 1..n emitted in order`)
  }
  return { duplicatesApplied, repeatedSources: [...seen].filter(([, n]) => n > 1).map(([s]) => s) }
}

/**
 * Resolves once the group committed the end of every topic it reads: checked at once and after
 * each commit; a commit that comes while a check runs triggers another check, so the last commit
 * is never missed.
 */
export async function committedAll (processor: Processor, admin: Admin, topics: string[], partitions: number, running: Promise<void>): Promise<void> {
  const done = async (): Promise<boolean> => {
    const lags = await admin.consumerGroupLag(processor.graph.group, { topics: topics.map((topic) => ({ topic })), timeoutMs: 15_000 })
    return lags.length === topics.length * partitions && lags.every((l) => l.lag === 0n && l.committed >= 0n)
  }
  await new Promise<void>((resolve, reject) => {
    let checking = false
    let again = false
    const check = (): void => {
      if (checking) { again = true; return }
      checking = true
      again = false
      done().then((ok) => {
        checking = false
        if (ok) {
          processor.off('commit', check)
          resolve()
        } else if (again) check()
      }, (error: unknown) => {
        // A lag query can fail while a broker is down; the next commit checks again.
        checking = false
        if (again) check()
        else console.log(`# lag check failed (${(error as Error).message}); waiting for the next commit`)
      })
    }
    processor.on('commit', check)
    // Everything may be committed already (no commit would come): check once now.
    check()
    running.then(() => { reject(new Error('processor stopped before it processed everything')) }, reject)
  })
}
