/**
 * What a connection needs to know about one request: how to encode it for a correlation id, how
 * to decode its response frame, and whether a response comes at all (Produce with acks=0 has none).
 * The cluster layer builds these from the protocol descriptors; the connection stays byte-level.
 */
export interface WireRequest<T> {
  /** For errors and logs, e.g. "Metadata v12". */
  label: string
  /**
   * Request header + body for this correlation id, without the 4-byte size prefix: one buffer, or
   * pieces written in order as one frame (a Produce request's record batches are pieces of their own, not copied in).
   */
  encode: (correlationId: number) => Buffer | readonly Buffer[]
  /** Decodes a response frame (without the size prefix); the correlation id was already matched. */
  decode: (frame: Buffer) => T
  /** False for requests the broker never answers (Produce with acks=0). */
  expectResponse?: boolean
}
