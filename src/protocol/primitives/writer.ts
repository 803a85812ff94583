/**
 * A growable writer for Kafka's primitive types. Callers validate values (see codec.ts); the
 * writer only lays out bytes.
 *
 * Large byte fields (a Produce request's record batches) can be shared instead of copied: the
 * writer then holds its output as pieces, its own bytes between the shared buffers, and `pieces()`
 * gives them in order for a vectored write, so a batch's bytes reach the socket without being
 * copied into the request. A shared buffer must not change until the pieces are written.
 */
import { uuidToBytes } from './uuid.ts'

/** Shorter byte fields are copied: below this a copy costs less than one more piece to write. */
export const SHARE_MIN_BYTES = 4096

/** A signed integer as the unsigned one its zig-zag varint carries (exact up to 2^52). */
export function zigzag (value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1
}

/** Bytes the unsigned varint of `value` takes. */
export function uvarintSize (value: number): number {
  let rest = value
  let size = 1
  while (rest >= 0x80) {
    rest = Math.floor(rest / 128)
    size++
  }
  return size
}

/**
 * Writes the unsigned varint of `value` at `at` (the caller has made room: uvarintSize) and
 * returns where it ends. For encoders that measured their output and write straight into it.
 */
export function putUvarint (buffer: Buffer, at: number, value: number): number {
  let rest = value
  let i = at
  while (rest >= 0x80) {
    // & keeps the low 7 bits right for values past 2^32 too (2^32 is a multiple of 128).
    buffer[i++] = (rest & 0x7f) | 0x80
    rest = Math.floor(rest / 128)
  }
  buffer[i++] = rest
  return i
}

export class Writer {
  #buffer: Buffer
  #offset = 0
  /** Finished pieces, in order: views of the writer's own bytes and the shared buffers. */
  #pieces: Buffer[] = []
  /** Where the writer's own bytes after the last shared buffer begin in #buffer. */
  #pieceStart = 0
  /** Bytes in #pieces. */
  #piecesLength = 0

  constructor (initialSize = 256) {
    this.#buffer = Buffer.allocUnsafe(initialSize)
  }

  /** Bytes written so far, shared ones included. */
  get length (): number {
    return this.#piecesLength + this.#offset - this.#pieceStart
  }

  /** Empties the writer, keeping its buffer for reuse. */
  reset (): this {
    this.#offset = 0
    this.#pieces = []
    this.#pieceStart = 0
    this.#piecesLength = 0
    return this
  }

  #ensure (bytes: number): number {
    const at = this.#offset
    if (at + bytes > this.#buffer.length) {
      // Bytes before #pieceStart are already pieces (views of the old buffer): only the rest moves.
      const kept = at - this.#pieceStart
      const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, kept + bytes))
      this.#buffer.copy(grown, 0, this.#pieceStart, at)
      this.#buffer = grown
      this.#pieceStart = 0
      this.#offset = kept + bytes
      return kept
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
    // #ensure may replace #buffer: make room first, then write into the buffer it left.
    const at = this.#ensure(uvarintSize(value))
    putUvarint(this.#buffer, at, value)
    return this
  }

  varint (value: number): this {
    return this.uvarint(zigzag(value))
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

  /** Appends `bytes` without copying them when they are large (see the class comment); copies them otherwise. */
  share (bytes: Uint8Array): this {
    if (bytes.length < SHARE_MIN_BYTES) return this.raw(bytes)
    if (this.#offset > this.#pieceStart) this.#pieces.push(this.#buffer.subarray(this.#pieceStart, this.#offset))
    this.#pieces.push(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
    this.#piecesLength += this.#offset - this.#pieceStart + bytes.length
    this.#pieceStart = this.#offset
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

  /** `share`: append large bytes by reference (see `share`) rather than copying them. */
  nullableBytes (value: Uint8Array | null, compact: boolean, share = false): this {
    if (value === null) return compact ? this.uvarint(0) : this.int32(-1)
    if (compact) this.uvarint(value.length + 1)
    else this.int32(value.length)
    return share ? this.share(value) : this.raw(value)
  }

  /** Array length: int32 (classic) or uvarint+1 (compact); null is -1 / 0. */
  arrayLength (count: number | null, compact: boolean): this {
    if (count === null) return compact ? this.uvarint(0) : this.int32(-1)
    return compact ? this.uvarint(count + 1) : this.int32(count)
  }

  uuid (value: string): this {
    return this.raw(uuidToBytes(value))
  }

  /** The bytes written so far in one buffer: a view (valid until the next write), or joined when some were shared. */
  view (): Buffer {
    if (this.#pieces.length === 0) return this.#buffer.subarray(0, this.#offset)
    return Buffer.concat(this.pieces(), this.length)
  }

  /** The bytes written so far, in order, as views of the writer's buffer and the shared buffers (valid until the next write). */
  pieces (): Buffer[] {
    const tail = this.#buffer.subarray(this.#pieceStart, this.#offset)
    if (this.#pieces.length === 0) return [tail]
    return tail.length === 0 ? [...this.#pieces] : [...this.#pieces, tail]
  }

  /** The bytes written so far, as a buffer of their own. */
  toBuffer (): Buffer {
    if (this.#pieces.length === 0) return Buffer.from(this.#buffer.subarray(0, this.#offset))
    return Buffer.concat(this.pieces(), this.length)
  }
}
