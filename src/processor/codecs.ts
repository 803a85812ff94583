/**
 * Codecs turn a topic's bytes into the typed values a callback receives, and back. A codec that
 * cannot decode throws; the processor stops on it with the topic, partition and offset named,
 * since skipping the record would silently lose it.
 */

export interface Codec<T> {
  encode: (value: T) => Buffer
  decode: (bytes: Buffer) => T
}

export const stringCodec: Codec<string> = {
  encode: (value) => {
    if (typeof value !== 'string') throw new TypeError(`string codec: expected a string, got ${typeof value}`)
    return Buffer.from(value, 'utf8')
  },
  decode: (bytes) => bytes.toString('utf8'),
}

export const bytesCodec: Codec<Buffer> = {
  encode: (value) => {
    if (!Buffer.isBuffer(value)) throw new TypeError(`bytes codec: expected a Buffer, got ${typeof value}`)
    return value
  },
  decode: (bytes) => bytes,
}

/** JSON text in UTF-8. `T` is what the caller promises the topic holds; it is not checked. */
export function jsonCodec<T = unknown> (): Codec<T> {
  return {
    encode: (value) => {
      const text = JSON.stringify(value)
      if (text === undefined) throw new TypeError(`json codec: ${typeof value} has no JSON form`)
      return Buffer.from(text, 'utf8')
    },
    decode: (bytes) => JSON.parse(bytes.toString('utf8')) as T,
  }
}

/** A signed 64-bit big-endian integer (the Java LongSerializer's format), as a bigint. */
export const int64Codec: Codec<bigint> = {
  encode: (value) => {
    const buffer = Buffer.alloc(8)
    buffer.writeBigInt64BE(value)
    return buffer
  },
  decode: (bytes) => {
    if (bytes.length !== 8) throw new RangeError(`int64 codec: expected 8 bytes, got ${bytes.length}`)
    return bytes.readBigInt64BE()
  },
}
