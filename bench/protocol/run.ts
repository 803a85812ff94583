/**
 * Record batch encode/decode throughput, steadfast next to KafkaJS's own record batch encoder and
 * decoder in the same run (100-byte and 1 KiB values; uncompressed and every codec; KafkaJS has
 * only gzip built in), then each codec's speed and ratio on the same payload. Prints ratios.
 * Note: steadfast verifies every batch's CRC32C on decode; KafkaJS does not.
 * Then the CRCs: the JS tables next to the native ones (@node-rs/crc32's CRC32C where installed,
 * node:zlib's CRC32) and the combination in use, at a record's and a batch's size.
 * Last, a Produce request of 6 partitions' batches framed as the connection writes it (pieces: the
 * batches are not copied) next to one joined buffer (encodeRequest: every batch copied once).
 */
import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'
import { apis, codecByName, decodeRecordBatch, encodeRecordBatch, encodeRequest, encodeRequestPieces } from '../../src/protocol/index.ts'
import type { CompressionName, RecordInput } from '../../src/protocol/index.ts'
import { crc32, crc32c, nativeCrc32, nativeCrc32c } from '../../src/protocol/records/crc.ts'
import { crc32cTable, crc32Table } from '../../src/protocol/records/crc-table.ts'

const require = createRequire(import.meta.url)
const { RecordBatch: KafkaRecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (options: object) => Promise<{ buffer: Buffer }> }
const KafkaRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (options: object) => unknown
const KafkaBatchDecoder = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (decoder: unknown) => Promise<unknown>
const KafkaDecoder = require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => unknown
const { Types: KafkaCompression } = require('kafkajs/src/protocol/message/compression') as { Types: Record<string, number> }

const RECORDS_PER_BATCH = 500
const ROUNDS = 5
const WINDOW_MS = 150
const CODECS: CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd']

function makeRecords (valueSize: number): RecordInput[] {
  const base = Date.now()
  return Array.from({ length: RECORDS_PER_BATCH }, (_, i) => {
    const text = `{"id":${i},"user":"user-${i % 97}","event":"page_view","path":"/items/${i % 1013}","pad":"`
    const value = Buffer.alloc(valueSize, 'x')
    value.write(text.slice(0, valueSize))
    return { key: `key-${i % 251}`, value, headers: [{ key: 'source', value: 'bench' }], timestamp: base + i }
  })
}

/**
 * Runs `fn` repeatedly in ROUNDS windows of about WINDOW_MS after a warm-up; returns the best
 * window's calls per CPU-second of this process (user + system, thread pool included). CPU time is
 * what other load on the machine skews least, and the best window the one it disturbed least.
 */
async function rate (fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 5; i++) await fn()
  let best = 0
  for (let round = 0; round < ROUNDS; round++) {
    let runs = 0
    const start = performance.now()
    const cpu = process.cpuUsage()
    while (performance.now() - start < WINDOW_MS) {
      await fn()
      runs++
    }
    const used = process.cpuUsage(cpu)
    best = Math.max(best, runs / ((used.user + used.system) / 1e6))
  }
  return best
}

function figures (batchesPerSecond: number, bytesPerBatch: number): string {
  const messages = batchesPerSecond * RECORDS_PER_BATCH
  return `${(messages / 1000).toFixed(0).padStart(6)} k msg/s ${(batchesPerSecond * bytesPerBatch / 1048576).toFixed(1).padStart(7)} MB/s`
}

async function recordBatches (): Promise<void> {
  console.log(`record batches of ${RECORDS_PER_BATCH} records, per CPU-second (MB/s counts key + value bytes)`)
  for (const valueSize of [100, 1024]) {
    const records = makeRecords(valueSize)
    const payloadBytes = records.reduce((sum, r) => sum + (r.value as Buffer).length + String(r.key).length, 0)
    for (const compression of CODECS) {
      const encoded = await encodeRecordBatch({ records, compression })
      const encode = await rate(async () => await encodeRecordBatch({ records, compression }))
      const decode = await rate(async () => await decodeRecordBatch(encoded))
      let line = `${String(valueSize).padStart(5)} B ${compression.padEnd(6)} steadfast encode ${figures(encode, payloadBytes)} | decode ${figures(decode, payloadBytes)}`
      const kafkaCodec = compression === 'none' ? KafkaCompression.None : compression === 'gzip' ? KafkaCompression.GZIP : undefined
      if (kafkaCodec !== undefined) {
        const base = records[0].timestamp as number
        const kafkaRecords = (): unknown[] => records.map((r, i) => KafkaRecord({ offsetDelta: i, timestampDelta: (r.timestamp as number) - base, key: Buffer.from(String(r.key)), value: r.value, headers: { source: 'bench' } }))
        const kafkaEncode = async (): Promise<Buffer> => (await KafkaRecordBatch({ compression: kafkaCodec, firstTimestamp: base, maxTimestamp: base + RECORDS_PER_BATCH, lastOffsetDelta: RECORDS_PER_BATCH - 1, records: kafkaRecords() })).buffer
        const kafkaEncoded = await kafkaEncode()
        const kEncode = await rate(kafkaEncode)
        const kDecode = await rate(async () => await KafkaBatchDecoder(new KafkaDecoder(kafkaEncoded)))
        line += `\n${''.padStart(14)}kafkajs   encode ${figures(kEncode, payloadBytes)} | decode ${figures(kDecode, payloadBytes)}  ratio steadfast/kafkajs: encode ${(encode / kEncode).toFixed(2)}x, decode ${(decode / kDecode).toFixed(2)}x`
      }
      console.log(line)
    }
  }
}

async function codecs (): Promise<void> {
  const records = makeRecords(100)
  const plain = await encodeRecordBatch({ records })
  const payload = plain.subarray(61)
  console.log(`\ncodecs on one uncompressed records section of ${(payload.length / 1024).toFixed(0)} KiB`)
  for (const name of CODECS.slice(1)) {
    const codec = codecByName(name)
    const compressed = await codec.compress(payload)
    const compress = await rate(async () => await codec.compress(payload))
    const decompress = await rate(async () => await codec.decompress(compressed))
    const mb = payload.length / 1048576
    console.log(`${name.padEnd(6)} ratio ${(payload.length / compressed.length).toFixed(2).padStart(6)}x  compress ${(compress * mb).toFixed(1).padStart(7)} MB/s  decompress ${(decompress * mb).toFixed(1).padStart(7)} MB/s`)
  }
}

async function crcs (): Promise<void> {
  console.log('\nCRCs, GB/s per CPU-second')
  const sets = [
    { name: 'CRC32C', table: crc32cTable, native: nativeCrc32c, nativeName: '@node-rs/crc32', used: crc32c },
    { name: 'CRC32 ', table: crc32Table, native: nativeCrc32, nativeName: 'node:zlib', used: crc32 },
  ]
  for (const size of [100, 1024, 560_000]) {
    const bytes = Buffer.alloc(size, 0x5a)
    const repeat = Math.ceil(1_000_000 / size)
    const gbs = async (crc: (b: Uint8Array) => number): Promise<number> => await rate(async () => { for (let i = 0; i < repeat; i++) crc(bytes) }) * repeat * size / 1e9
    for (const set of sets) {
      const table = await gbs(set.table)
      const used = await gbs(set.used)
      let line = `${set.name} ${String(size).padStart(7)} B  JS table ${table.toFixed(2).padStart(6)}  in use ${used.toFixed(2).padStart(6)}`
      if (set.native === undefined) line += `  (${set.nativeName} not installed)`
      else line += `  ${set.nativeName} ${(await gbs(set.native)).toFixed(2).padStart(6)}`
      console.log(`${line}  ratio in use/JS ${(used / table).toFixed(2)}x`)
    }
  }
}

async function produceRequests (): Promise<void> {
  console.log('\nProduce v9 request of 6 partitions, one batch each, per CPU-second')
  for (const kib of [16, 128, 512]) {
    const batch = Buffer.alloc(kib * 1024, 0x5a)
    const body = { transactionalId: null, acks: -1, timeoutMs: 30_000, topicData: [{ name: 'topic', partitionData: Array.from({ length: 6 }, (_, index) => ({ index, records: batch })) }] }
    const header = { correlationId: 1, clientId: 'bench' }
    const pieces = await rate(async () => encodeRequestPieces(apis.Produce, 9, header, body))
    const joined = await rate(async () => encodeRequest(apis.Produce, 9, header, body))
    const gbs = (perSecond: number): string => (perSecond * 6 * batch.length / 1e9).toFixed(2).padStart(7)
    console.log(`${String(kib).padStart(4)} KiB batches  pieces ${pieces.toFixed(0).padStart(8)} req/s ${gbs(pieces)} GB/s  joined ${joined.toFixed(0).padStart(8)} req/s ${gbs(joined)} GB/s  ratio ${(pieces / joined).toFixed(1)}x`)
  }
}

await recordBatches()
await codecs()
await crcs()
await produceRequests()
