import type { CompressionCodec } from './codec.ts'
import { tooLarge } from './codec.ts'

export const noneCodec: CompressionCodec = {
  name: 'none',
  id: 0,
  async compress (input) {
    return input
  },
  async decompress (input, maxOutputBytes = Infinity) {
    if (input.length > maxOutputBytes) throw tooLarge('none', maxOutputBytes)
    return input
  },
}
