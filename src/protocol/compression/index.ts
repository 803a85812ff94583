/** The codec registry: built-in codecs, replaceable by faster ones with registerCodec. */
import { ProtocolDecodeError } from '../../resilience/errors.ts'
import type { CompressionCodec, CompressionName } from './codec.ts'
import { gzipCodec } from './gzip.ts'
import { lz4Codec } from './lz4.ts'
import { noneCodec } from './none.ts'
import { snappyCodec } from './snappy.ts'
import { zstdCodec } from './zstd.ts'

export * from './codec.ts'

const registry = new Map<number, CompressionCodec>()
for (const codec of [noneCodec, gzipCodec, snappyCodec, lz4Codec, zstdCodec]) registry.set(codec.id, codec)

/** Replaces the codec with the same id (e.g. a native lz4 binding in place of the pure-JS one). */
export function registerCodec (codec: CompressionCodec): void {
  registry.set(codec.id, codec)
}

/** The codec for a Kafka compression id (attribute bits 0-2); unknown ids are decode errors. */
export function codecById (id: number): CompressionCodec {
  const codec = registry.get(id)
  if (codec === undefined) throw new ProtocolDecodeError(`unknown compression codec id ${id}`, { reason: 'bad-compression' })
  return codec
}

export function codecByName (name: CompressionName): CompressionCodec {
  for (const codec of registry.values()) if (codec.name === name) return codec
  throw new ProtocolDecodeError(`unknown compression codec ${name}`, { reason: 'bad-compression' })
}
