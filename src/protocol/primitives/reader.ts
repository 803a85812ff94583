/**
 * A bounded reader over one buffer. Every read checks the bytes left first and throws
 * ProtocolDecodeError on truncation; lengths and counts are checked against the remaining input
 * before anything is allocated, so hostile input cannot make it allocate more than it holds.
 */
import { ProtocolDecodeError } from '../../resilience/errors.ts'
import { uuidToString } from './uuid.ts'

export class Reader {
  readonly buffer: Buffer
  offset: number
  readonly end: number

  constructor (buffer: Buffer, offset = 0, end = buffer.length) {
    this.buffer = buffer
    this.offset = offset
    this.end = end
  }

  get remaining (): number {
    return this.end - this.offset
  }

  #need (bytes: number, what: string): number {
    const at = this.offset
    if (bytes > this.end - at) {
      throw new ProtocolDecodeError(`truncated input: ${what} needs ${bytes} bytes at offset ${at}, ${this.end - at} left`, { reason: 'truncated' })
    }
    this.offset = at + bytes
    return at
  }

  int8 (): number { return this.buffer.readInt8(this.#need(1, 'int8')) }
  int16 (): number { return this.buffer.readInt16BE(this.#need(2, 'int16')) }
  uint16 (): number { return this.buffer.readUInt16BE(this.#need(2, 'uint16')) }
  int32 (): number { return this.buffer.readInt32BE(this.#need(4, 'int32')) }
  uint32 (): number { return this.buffer.readUInt32BE(this.#need(4, 'uint32')) }
  int64 (): bigint { return this.buffer.readBigInt64BE(this.#need(8, 'int64')) }
  float64 (): number { return this.buffer.readDoubleBE(this.#need(8, 'float64')) }

  bool (): boolean {
    return this.buffer[this.#need(1, 'bool')] !== 0
  }

  /**
   * Unsigned LEB128 varint of at most 32 bits. One- and two-byte values (lengths below 16 KiB,
   * offset and timestamp deltas in a batch) take the inlined fast path; longer ones the loop.
   */
  uvarint (): number {
    const { buffer, end } = this
    const at = this.offset
    if (at + 1 < end) {
      const first = buffer[at]
      if (first < 0x80) {
        this.offset = at + 1
        return first
      }
      const second = buffer[at + 1]
      if (second < 0x80) {
        this.offset = at + 2
        return (first & 0x7f) | (second << 7)
      }
    } else if (at < end && buffer[at] < 0x80) {
      this.offset = at + 1
      return buffer[at]
    }
    return this.#uvarintLong()
  }

  #uvarintLong (): number {
    const { buffer, end } = this
    let at = this.offset
    let value = 0
    for (let shift = 0; shift < 35; shift += 7) {
      if (at >= end) {
        this.offset = at
        this.#need(1, 'varint')
      }
      const byte = buffer[at++]
      value += (byte & 0x7f) * 2 ** shift
      if (byte < 0x80) {
        if (value > 0xffffffff) break
        this.offset = at
        return value
      }
    }
    throw new ProtocolDecodeError(`varint at offset ${this.offset} is longer than 32 bits`, { reason: 'bad-varint' })
  }

  /** Zig-zag signed varint (int32). */
  varint (): number {
    const raw = this.uvarint()
    // Below 2^31 the zig-zag step is exact in 32-bit integer maths; above it, in doubles.
    return raw < 0x80000000 ? (raw >>> 1) ^ -(raw & 1) : raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2
  }

  /** Zig-zag signed varlong (int64), as a bigint. */
  varlong (): bigint {
    let value = 0n
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const byte = this.buffer[this.#need(1, 'varlong')]
      value |= BigInt(byte & 0x7f) << shift
      if ((byte & 0x80) === 0) {
        if (value > 0xffffffffffffffffn) break
        return (value >> 1n) ^ -(value & 1n)
      }
    }
    throw new ProtocolDecodeError(`varlong at offset ${this.offset} is longer than 64 bits`, { reason: 'bad-varint' })
  }

  /**
   * Zig-zag varlong as a number, for fields that always fit (record timestamp deltas): read without
   * BigInt; a value beyond 2^53 is a decode error.
   */
  varlongNumber (): number {
    const at = this.offset
    if (at + 1 < this.end) {
      const first = this.buffer[at]
      const second = this.buffer[at + 1]
      if (first < 0x80) {
        this.offset = at + 1
        return (first >>> 1) ^ -(first & 1)
      }
      if (second < 0x80) {
        this.offset = at + 2
        const raw = (first & 0x7f) | (second << 7)
        return (raw >>> 1) ^ -(raw & 1)
      }
    }
    return this.#varlongNumberLong()
  }

  #varlongNumberLong (): number {
    const { buffer, end } = this
    let at = this.offset
    let raw = 0
    for (let shift = 0; shift < 56; shift += 7) {
      if (at >= end) {
        this.offset = at
        this.#need(1, 'varlong')
      }
      const byte = buffer[at++]
      raw += (byte & 0x7f) * 2 ** shift
      if (byte < 0x80) {
        if (raw > Number.MAX_SAFE_INTEGER) break
        this.offset = at
        return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2
      }
    }
    throw new ProtocolDecodeError(`varlong at offset ${this.offset} is out of range`, { reason: 'bad-varint' })
  }

  /** A length for `what` that must fit in the remaining input (checked before any allocation). */
  #length (length: number, what: string): number {
    if (length > this.end - this.offset) {
      throw new ProtocolDecodeError(`${what} length ${length} at offset ${this.offset} exceeds the ${this.end - this.offset} bytes left`, { reason: 'bad-length' })
    }
    return length
  }

  /** Reads `length` raw bytes as a view into the input (no copy). */
  raw (length: number, what = 'bytes'): Buffer {
    const at = this.#need(this.#length(length, what), what)
    return this.buffer.subarray(at, at + length)
  }

  /** Length prefix of a string/bytes: int16/int32 (classic) or uvarint+1 (compact); -1 means null. */
  #prefixed (compact: boolean, wide: boolean, what: string): number {
    if (compact) return this.uvarint() - 1
    const length = wide ? this.int32() : this.int16()
    if (length < -1) throw new ProtocolDecodeError(`negative ${what} length ${length} at offset ${this.offset}`, { reason: 'bad-length' })
    return length
  }

  nullableString (compact: boolean): string | null {
    const length = this.#prefixed(compact, false, 'string')
    if (length === -1) return null
    const at = this.#need(this.#length(length, 'string'), 'string')
    return this.buffer.toString('utf8', at, at + length)
  }

  nullableBytes (compact: boolean): Buffer | null {
    const length = this.#prefixed(compact, true, 'bytes')
    if (length === -1) return null
    return this.raw(length)
  }

  /** An array count (-1 means null); a count whose minimal encoding cannot fit is rejected. */
  arrayCount (compact: boolean, minElementSize: number): number {
    const count = compact ? this.uvarint() - 1 : this.int32()
    if (count < -1) throw new ProtocolDecodeError(`negative array length ${count} at offset ${this.offset}`, { reason: 'bad-length' })
    if (count > 0 && count * Math.max(1, minElementSize) > this.end - this.offset) {
      throw new ProtocolDecodeError(`array of ${count} elements at offset ${this.offset} cannot fit in the ${this.end - this.offset} bytes left`, { reason: 'bad-length' })
    }
    return count
  }

  uuid (): string {
    const at = this.#need(16, 'uuid')
    return uuidToString(this.buffer.subarray(at, at + 16))
  }
}
