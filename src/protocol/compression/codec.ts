/**
 * The compression codec interface and its registry. Kafka's attribute bits name the codec (0 none,
 * 1 gzip, 2 snappy, 3 lz4, 4 zstd); a faster implementation can replace a built-in one with
 * `registerCodec`. Every decompression is bounded by `maxOutputBytes`.
 */
import { ProtocolDecodeError } from '../../resilience/errors.ts'

export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'

export const COMPRESSION_IDS: Record<CompressionName, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 }

/** Default cap on one decompressed batch: larger than any broker's default message.max.bytes. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024

export interface CompressionCodec {
  readonly name: CompressionName
  readonly id: number
  compress (input: Buffer): Promise<Buffer>
  /** Throws ProtocolDecodeError on corrupt input or when the output would exceed maxOutputBytes. */
  decompress (input: Buffer, maxOutputBytes?: number): Promise<Buffer>
}

/** Wraps whatever a codec library throws on garbage into a ProtocolDecodeError. */
export function decodeFailure (codec: CompressionName, cause: unknown): ProtocolDecodeError {
  if (cause instanceof ProtocolDecodeError) return cause
  const message = cause instanceof Error ? cause.message : String(cause)
  return new ProtocolDecodeError(`${codec}: cannot decompress: ${message}`, { reason: 'bad-compression', cause })
}

export function tooLarge (codec: CompressionName, limit: number): ProtocolDecodeError {
  return new ProtocolDecodeError(`${codec}: decompressed data exceeds the limit of ${limit} bytes`, { reason: 'decompression-limit' })
}
