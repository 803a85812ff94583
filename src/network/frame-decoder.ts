/**
 * Splits a byte stream into Kafka frames (int32 size + payload). Bounded: a size above the limit
 * (or negative) is a protocol error, never an allocation of that size.
 */
import { ProtocolDecodeError } from '../resilience/errors.ts'

export class FrameDecoder {
  readonly maxFrameBytes: number
  #chunks: Buffer[] = []
  #buffered = 0

  constructor (maxFrameBytes: number) {
    this.maxFrameBytes = maxFrameBytes
  }

  /** Adds bytes; returns every frame now complete (payloads without the size prefix). */
  push (chunk: Buffer): Buffer[] {
    this.#chunks.push(chunk)
    this.#buffered += chunk.length
    const frames: Buffer[] = []
    for (;;) {
      if (this.#buffered < 4) break
      const head = this.#peek(4)
      const size = head.readInt32BE(0)
      if (size < 0 || size > this.maxFrameBytes) {
        throw new ProtocolDecodeError(`response frame of ${size} bytes is outside [0, ${this.maxFrameBytes}] (max frame size)`, { reason: 'frame-size' })
      }
      if (this.#buffered < 4 + size) break
      const all = this.#take(4 + size)
      frames.push(all.subarray(4))
    }
    return frames
  }

  get buffered (): number {
    return this.#buffered
  }

  #peek (n: number): Buffer {
    if (this.#chunks[0] !== undefined && this.#chunks[0].length >= n) return this.#chunks[0]
    const joined = Buffer.concat(this.#chunks)
    this.#chunks = [joined]
    return joined
  }

  #take (n: number): Buffer {
    const joined = this.#peek(n)
    const out = joined.subarray(0, n)
    const rest = joined.subarray(n)
    this.#chunks = rest.length > 0 ? [rest] : []
    this.#buffered -= n
    return out
  }
}
