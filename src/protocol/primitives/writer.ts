/**
 * A growable writer for Kafka's primitive types. Callers validate values (see codec.ts); the
 * writer only lays out bytes.
 */
import { uuidToBytes } from './uuid.ts'

export class Writer {
  #buffer: Buffer
  #offset = 0

  constructor (initialSize = 256) {
    this.#buffer = Buffer.allocUnsafe(initialSize)
  }

  get length (): number {
    return this.#offset
  }

  /** Empties the writer, keeping its buffer for reuse. */
  reset (): this {
    this.#offset = 0
    return this
  }

  #ensure (bytes: number): number {
    const at = this.#offset
    if (at + bytes > this.#buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, at + bytes))
      this.#buffer.copy(grown, 0, 0, at)
      this.#buffer = grown
    }
    this.#offset = at + bytes
    return at
  }

  int8 (value: number): this {
    const at = this.#ensure(1)
    this.#buffer.writeInt8(value, at)
    return this
  }

  int16 (value: number): this {
    const at = this.#ensure(2)
    this.#buffer.writeInt16BE(value, at)
    return this
  }

  uint16 (value: number): this {
    const at = this.#ensure(2)
    this.#buffer.writeUInt16BE(value, at)
    return this
  }

  int32 (value: number): this {
    const at = this.#ensure(4)
    this.#buffer.writeInt32BE(value, at)
    return this
  }

  uint32 (value: number): this {
    const at = this.#ensure(4)
    this.#buffer.writeUInt32BE(value, at)
    return this
  }

  int64 (value: bigint): this {
    const at = this.#ensure(8)
    this.#buffer.writeBigInt64BE(value, at)
    return this
  }

  float64 (value: number): this {
    const at = this.#ensure(8)
    this.#buffer.writeDoubleBE(value, at)
    return this
  }

  bool (value: boolean): this {
    const at = this.#ensure(1)
    this.#buffer[at] = value ? 1 : 0
    return this
  }

  uvarint (value: number): this {
    if (value < 0x80 && value >= 0) {
      const at = this.#ensure(1)
      this.#buffer[at] = value
      return this
    }
    let rest = value
    while (rest >= 0x80) {
      const at = this.#ensure(1)
      this.#buffer[at] = (rest & 0x7f) | 0x80
      rest = Math.floor(rest / 128)
    }
    const at = this.#ensure(1)
    this.#buffer[at] = rest
    return this
  }

  varint (value: number): this {
    return this.uvarint(value >= 0 ? value * 2 : -value * 2 - 1)
  }

  varlong (value: bigint): this {
    let rest = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n))
    while (rest >= 0x80n) {
      const at = this.#ensure(1)
      this.#buffer[at] = Number(rest & 0x7fn) | 0x80
      rest >>= 7n
    }
    const at = this.#ensure(1)
    this.#buffer[at] = Number(rest)
    return this
  }

  raw (bytes: Uint8Array): this {
    const at = this.#ensure(bytes.length)
    this.#buffer.set(bytes, at)
    return this
  }

  nullableString (value: string | null, compact: boolean): this {
    if (value === null) return compact ? this.uvarint(0) : this.int16(-1)
    const length = Buffer.byteLength(value)
    if (compact) this.uvarint(length + 1)
    else this.int16(length)
    const at = this.#ensure(length)
    this.#buffer.write(value, at, length, 'utf8')
    return this
  }

  nullableBytes (value: Uint8Array | null, compact: boolean): this {
    if (value === null) return compact ? this.uvarint(0) : this.int32(-1)
    if (compact) this.uvarint(value.length + 1)
    else this.int32(value.length)
    return this.raw(value)
  }

  /** Array length: int32 (classic) or uvarint+1 (compact); null is -1 / 0. */
  arrayLength (count: number | null, compact: boolean): this {
    if (count === null) return compact ? this.uvarint(0) : this.int32(-1)
    return compact ? this.uvarint(count + 1) : this.int32(count)
  }

  uuid (value: string): this {
    return this.raw(uuidToBytes(value))
  }

  /** The bytes written so far, as a view (valid until the next write). */
  view (start = 0, end = this.#offset): Buffer {
    return this.#buffer.subarray(start, end)
  }

  /** The bytes written so far, as a buffer of their own. */
  toBuffer (): Buffer {
    return Buffer.from(this.#buffer.subarray(0, this.#offset))
  }
}
