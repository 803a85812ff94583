/**
 * Spelling out expected wire bytes by hand, one primitive at a time, independently of the codec
 * under test: s = int16-length string, cs = compact string, a = int32 array length, ca = compact
 * array length, T = an empty tagged-field section, and so on.
 */
function int (bytes: number, value: number): Buffer {
  const out = Buffer.alloc(bytes)
  out.writeIntBE(value, 0, bytes)
  return out
}

export const i8 = (value: number): Buffer => int(1, value)
export const i16 = (value: number): Buffer => int(2, value)
export const i32 = (value: number): Buffer => int(4, value)
export function i64 (value: bigint): Buffer {
  const out = Buffer.alloc(8)
  out.writeBigInt64BE(value)
  return out
}
export const bool = (value: boolean): Buffer => Buffer.from([value ? 1 : 0])

export function uv (value: number): Buffer {
  const out: number[] = []
  let rest = value
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80)
    rest >>>= 7
  }
  out.push(rest)
  return Buffer.from(out)
}

export const s = (text: string): Buffer => Buffer.concat([i16(Buffer.byteLength(text)), Buffer.from(text)])
export const ns = (): Buffer => i16(-1)
export const cs = (text: string): Buffer => Buffer.concat([uv(Buffer.byteLength(text) + 1), Buffer.from(text)])
export const cn = (): Buffer => Buffer.from([0])
export const a = (count: number): Buffer => i32(count)
export const ca = (count: number): Buffer => uv(count + 1)
export const by = (bytes: number[] | string): Buffer => Buffer.concat([i32(bytes.length), Buffer.from(bytes as never)])
export const cby = (bytes: number[] | string): Buffer => Buffer.concat([uv(bytes.length + 1), Buffer.from(bytes as never)])
export const T = (): Buffer => Buffer.from([0])
/** A tagged-field section with the given [tag, payload] entries. */
export function tags (...entries: Array<[number, Buffer]>): Buffer {
  return Buffer.concat([uv(entries.length), ...entries.flatMap(([tag, payload]) => [uv(tag), uv(payload.length), payload])])
}

/** A fixed UUID, 01..10, and its string form. */
export const UUID_BYTES = Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex')
export const UUID = 'AQIDBAUGBwgJCgsMDQ4PEA'
export const uuid = (): Buffer => UUID_BYTES

export const bytes = (...parts: Buffer[]): Buffer => Buffer.concat(parts)
