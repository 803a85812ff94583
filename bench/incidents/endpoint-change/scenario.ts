/**
 * Incident 4, every broker re-advertises on new endpoints (AutoMQ AutoBalancer), on real Apache
 * Kafka: long-running group consumers read a steady stream from a 6-partition topic, side by side,
 * each in its own group, while every broker restarts at once on a new port (the old ports close,
 * so nothing a client was configured with answers any more). A bootstrap file beside the run is
 * rewritten with the new endpoints the moment they are up, as a deployment's service discovery
 * would. Consumers: Kafka's Java KafkaConsumer (kafka-clients 4.3.1, its defaults, configured with
 * the old bootstrap list), KafkaJS 2.2.4 (same), and, when given, steadfast's consumer (watching the
 * bootstrap file). The stream's producer is the bench's own and is pointed at the new endpoints
 * when they are up. Per consumer: records received (against the log read back by Kafka's own
 * consumer in the rig's control helper, by value where the side reports the values it received,
 * with the received records the log no longer holds), records seen twice, the longest time without a record
 * while the stream flowed (between two records, or from the last record received to the end of
 * the stream: the quiet minutes after the stream ends, while the bench drains its producers and
 * gives the consumers time to catch up, are nobody's gap), and the time from the new endpoints
 * being up until it received again.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { Kafka, logLevel } from 'kafkajs'
import { Consumer } from '../../../src/consumer/consumer.ts'
import { Producer } from '../../../src/producer/producer.ts'
import { createLogger } from '../../../src/observability/logger.ts'
import { locateKafka } from '../../../src/testkit/real-cluster/install.ts'
import type { RealCluster } from '../../../src/testkit/real-cluster/real-cluster.ts'

const run = promisify(execFile)
const HERE = fileURLToPath(new URL('.', import.meta.url))
const BUILD = fileURLToPath(new URL('../../../build/incidents/endpoint-java/', import.meta.url))
const PARTITIONS = 6
const RECORDS_PER_SECOND = 200
const BEFORE_MS = 8000
/** The longest the move waits, after BEFORE_MS, for every consumer's first record. */
const FIRST_RECORD_WAIT_MS = 60_000
const AFTER_MS = 20_000
const CATCH_UP_MS = 10_000

/** What a consumer side reports (the Java program prints exactly this as JSON). */
export interface ConsumerSummary {
  received: number
  twice: number
  /** Longest time without a record while the stream flowed (see the top of this file). */
  longestGapMs: number
  error: string
  /** The values received (each record's value is unique); the Java program reports counts only. */
  values?: Set<string>
}

export interface ConsumerRun extends Omit<ConsumerSummary, 'values'> {
  /** Records in the log the consumer never received: by value where the side reports values, else by count. */
  lost: number
  /** Records received that the log no longer holds at the end (by value; -1: the side reports counts only). */
  notInLog: number
  /** From the new endpoints being up (and in the bootstrap file) to its next record; -1: never. */
  followedMs: number
}

export interface EndpointRun {
  /** From the kill of the old brokers until every broker was up on its new port. */
  movedMs: number
  /** The consumers that had not received a record when the move began (the wait for them timed out). */
  idleAtMove: string[]
  records: number
  /** Records the bench's producer gave up on (they are not in the log, so no consumer owes them). */
  producerFailed: number
  consumers: Map<string, ConsumerRun>
}

/**
 * A consumer under test: joins `group` on `topic`, reports once `stop` resolves, with the wall-clock
 * time (Date.now()) the stream's last record was sent; `onRecord` is called per record it receives.
 */
export type ConsumerSide = (args: { bootstrap: string, bootstrapFile: string, topic: string, group: string, stop: Promise<number>, onRecord: () => void }) => Promise<ConsumerSummary>

/** Compiles the Java consumer once against the rig's cached Kafka jars. */
export async function buildJavaConsumer (): Promise<ConsumerSide> {
  const install = locateKafka()
  mkdirSync(BUILD, { recursive: true })
  const classpath = install.classpath
  await run('javac', ['-nowarn', '-d', BUILD, '-cp', classpath, join(HERE, 'java', 'EndpointConsumer.java')])
  // The Java program reports its counts only at the end, and one line when its first record comes
  // (onRecord once, for the bench's wait before the move): its later arrival times are not visible
  // to the bench, so its `followedMs` stays -1 and its longest gap tells how long it was without
  // records. It is told the stream's end on its stdin, then stdin closes.
  return async ({ bootstrap, topic, group, stop, onRecord }) => {
    const child = run(install.java, ['-cp', `${BUILD}:${classpath}`, 'EndpointConsumer', bootstrap, topic, group], { maxBuffer: 16 * 1024 * 1024 })
    let first = false
    child.child.stdout?.on('data', (chunk: Buffer) => {
      if (!first && chunk.toString().includes('"first":true')) {
        first = true
        onRecord()
      }
    })
    stop.then((streamEnd) => child.child.stdin?.end(`${streamEnd}\n`), () => {})
    const { stdout } = await child
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as ConsumerSummary
  }
}

/** The longest gap, counting the time from the last record received (wall clock) to the stream's end; none if it never received. */
function withTail (longestGapMs: number, lastAt: number, streamEnd: number): number {
  return Math.round(lastAt < 0 ? longestGapMs : Math.max(longestGapMs, streamEnd - lastAt))
}

/**
 * Counts one record by its value (unique per record): a value seen before is a record received
 * twice. By value, not offset, so a log that lost records in the restart and reused their offsets
 * cannot hide a missed record as a duplicate.
 */
function countValue (s: ConsumerSummary, value: string): void {
  if (s.values?.has(value) === true) {
    s.twice++
    return
  }
  s.values?.add(value)
  s.received++
}

/** KafkaJS 2.2.4's consumer, eachMessage, with the bootstrap list it was started with. */
export const kafkajsConsumer: ConsumerSide = async ({ bootstrap, topic, group, stop, onRecord }) => {
  const consumer = new Kafka({ clientId: 'incident-kafkajs', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING }).consumer({ groupId: group })
  const s: ConsumerSummary = { received: 0, twice: 0, longestGapMs: 0, error: '', values: new Set() }
  let lastAt = -1
  const crashed = new Promise<void>((resolve) => consumer.on(consumer.events.CRASH, (e) => { s.error = String(e.payload.error); resolve() }))
  try {
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ message }) => {
        const now = Date.now()
        if (lastAt >= 0) s.longestGapMs = Math.max(s.longestGapMs, now - lastAt)
        lastAt = now
        countValue(s, message.value?.toString() ?? '')
        onRecord()
      },
    })
  } catch (error) {
    s.error = String(error)
  }
  await Promise.race([crashed, stop])
  await consumer.disconnect().catch(() => {})
  s.longestGapMs = withTail(s.longestGapMs, lastAt, await stop)
  return s
}

/** steadfast's consumer, watching the bootstrap file (the deployment's service discovery). */
export const steadfastConsumer: ConsumerSide = async ({ bootstrapFile, topic, group, stop, onRecord }) => {
  const consumer = new Consumer({ bootstrap: { file: bootstrapFile }, groupId: group, autoOffsetReset: 'earliest', logger: createLogger({ level: 'silent' }) })
  const s: ConsumerSummary = { received: 0, twice: 0, longestGapMs: 0, error: '', values: new Set() }
  let lastAt = -1
  consumer.subscribe([topic])
  const reading = (async () => {
    for await (const m of consumer) {
      const now = Date.now()
      if (lastAt >= 0) s.longestGapMs = Math.max(s.longestGapMs, now - lastAt)
      lastAt = now
      countValue(s, m.value?.toString() ?? '')
      onRecord()
    }
  })().catch((error: unknown) => { s.error = String(error) })
  const streamEnd = await stop
  await consumer.close()
  await reading
  s.longestGapMs = withTail(s.longestGapMs, lastAt, streamEnd)
  return s
}

export async function endpointChange (cluster: RealCluster, round: number, sides: Map<string, ConsumerSide>): Promise<EndpointRun> {
  const topic = `incident-endpoints-${round}`
  await cluster.createTopic({ name: topic, partitions: PARTITIONS, replicationFactor: 3 })
  const dir = mkdtempSync(join(tmpdir(), 'incident-endpoints-'))
  const bootstrapFile = join(dir, 'brokers.txt')
  writeFileSync(bootstrapFile, `${cluster.bootstrap.split(',').join('\n')}\n`)

  const logger = createLogger({ level: 'silent' })
  // The bench's own producer is not under test: the one started before the move is replaced by one
  // on the new endpoints once they are up; what reached the log is read back at the end.
  let producer = new Producer({ bootstrap: cluster.bootstrap, logger, deliveryTimeoutMs: 40_000 })
  let movedAt = Infinity
  let stopProducing = Infinity
  let stopConsumers: (streamEnd: number) => void = () => {}
  const stop = new Promise<number>((resolve) => { stopConsumers = resolve })
  const firstAfterMove = new Map<string, number>()
  // A consumer still starting (a JVM, a group join on a loaded machine) when the brokers move
  // would be judged on a move it never saw running: the move waits for every first record.
  const receiving = new Set<string>()
  let allReceiving: () => void = () => {}
  const everyFirstRecord = new Promise<void>((resolve) => { allReceiving = resolve })
  const running = new Map([...sides].map(([name, side]) => [name, side({
    bootstrap: cluster.bootstrap,
    bootstrapFile,
    topic,
    group: `incident-endpoints-${name.replace(/\W+/g, '-')}-${round}`,
    stop,
    onRecord: () => {
      if (!receiving.has(name)) {
        receiving.add(name)
        if (receiving.size === sides.size) allReceiving()
      }
      if (performance.now() > movedAt && !firstAfterMove.has(name)) firstAfterMove.set(name, performance.now() - movedAt)
    },
  })]))

  const started = performance.now()
  const pending: Array<Promise<unknown>> = []
  let producerFailed = 0
  const produce = async (): Promise<void> => {
    let sent = 0
    while (performance.now() < stopProducing) {
      const due = Math.floor((performance.now() - started) * RECORDS_PER_SECOND / 1000)
      for (; sent < due; sent++) pending.push(producer.send({ topic, key: `k${sent % 60}`, value: String(sent) }).catch(() => { producerFailed++ }))
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  const producing = produce()
  await new Promise((resolve) => setTimeout(resolve, BEFORE_MS))
  let waitForFirst: NodeJS.Timeout | undefined
  await Promise.race([everyFirstRecord, new Promise((resolve) => { waitForFirst = setTimeout(resolve, FIRST_RECORD_WAIT_MS) })])
  clearTimeout(waitForFirst)
  const idleAtMove = [...sides.keys()].filter((name) => !receiving.has(name))
  const moveStarted = performance.now()
  const old = producer
  await cluster.restartAllWithNewEndpoints()
  writeFileSync(bootstrapFile, `${cluster.bootstrap.split(',').join('\n')}\n`)
  producer = new Producer({ bootstrap: cluster.bootstrap, logger, deliveryTimeoutMs: 40_000 })
  movedAt = performance.now()
  stopProducing = movedAt + AFTER_MS
  old.close().catch(() => {})
  await producing
  const streamEnd = Date.now()
  await Promise.all(pending)
  await producer.close()
  await new Promise((resolve) => setTimeout(resolve, CATCH_UP_MS))
  stopConsumers(streamEnd)

  const logged = new Set<string>()
  for (let p = 0; p < PARTITIONS; p++) for (const r of await cluster.readPartition(topic, p)) logged.add(r.value ?? '')
  const records = logged.size
  const consumers = new Map<string, ConsumerRun>()
  for (const [name, p] of running) {
    const { values, ...s } = await p
    const lost = values === undefined ? Math.max(0, records - s.received) : [...logged].filter((v) => !values.has(v)).length
    const notInLog = values === undefined ? -1 : [...values].filter((v) => !logged.has(v)).length
    consumers.set(name, { ...s, lost, notInLog, followedMs: firstAfterMove.get(name) ?? -1 })
  }
  return { movedMs: movedAt - moveStarted, idleAtMove, records, producerFailed, consumers }
}
