/**
 * Fuzzing: random bytes and mutated real frames go into every decoder. The only acceptable
 * failure is a ProtocolDecodeError (or a subclass); anything else (RangeError, TypeError, a hang)
 * fails the test.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ProtocolDecodeError } from '../../src/resilience/errors.ts'
import {
  apis, crc32c, decodeRequest, decodeResponse, decodeRecordSet, encodeRecordBatch, encodeRequest, encodeResponse,
} from '../../src/protocol/index.ts'
import type { ApiDescriptor } from '../../src/protocol/index.ts'
import { structArbitrary } from './arbitraries.ts'

type Mutation = { kind: 'flip', at: number, mask: number } | { kind: 'cut', at: number } | { kind: 'set', at: number, byte: number } | { kind: 'insert', at: number, bytes: Uint8Array }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.constantFrom(0x00, 0x7f, 0x80, 0xff) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }) })
)

function mutate (frame: Buffer, mutations: Mutation[]): Buffer {
  let out = Buffer.from(frame)
  for (const m of mutations) {
    if (out.length === 0) break
    const at = m.at % out.length
    if (m.kind === 'flip') out[at] ^= m.mask
    else if (m.kind === 'set') out[at] = m.byte
    else if (m.kind === 'cut') out = out.subarray(0, at)
    else out = Buffer.concat([out.subarray(0, at), Buffer.from(m.bytes), out.subarray(at)])
  }
  return out
}

/** Array elements in a decoded message, all levels: each took at least one byte of the frame. */
function elements (value: unknown): number {
  if (Array.isArray(value)) return value.length + value.reduce((sum: number, item) => sum + elements(item), 0)
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) return Object.values(value).reduce((sum: number, item) => sum + elements(item), 0)
  return 0
}

/** Decoding either succeeds with no more array elements than the frame has bytes, or throws a ProtocolDecodeError. */
function onlyDecodeErrors (run: () => unknown, frame: Buffer): void {
  try {
    const decoded = run()
    assert.ok(elements(decoded) <= frame.length, 'decoded more array elements than the frame has bytes')
  } catch (error) {
    if (!(error instanceof ProtocolDecodeError)) assert.fail(`expected ProtocolDecodeError, got ${String((error as Error)?.stack ?? error)}`)
  }
}

function versionsOf (api: ApiDescriptor): number[] {
  const versions = new Set([api.minVersion, api.maxVersion])
  if (api.flexibleFrom !== null) versions.add(api.flexibleFrom).add(Math.max(api.minVersion, api.flexibleFrom - 1))
  return [...versions]
}

describe('fuzzing the message decoders', () => {
  test('random bytes into every request and response decoder', () => {
    for (const api of Object.values<ApiDescriptor>(apis)) {
      for (const version of versionsOf(api)) {
        fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
          const frame = Buffer.from(bytes)
          onlyDecodeErrors(() => decodeResponse(api, version, frame).body, frame)
          const header = Buffer.alloc(8)
          header.writeInt16BE(api.apiKey, 0)
          header.writeInt16BE(version, 2)
          const withHeader = Buffer.concat([header, frame])
          onlyDecodeErrors(() => decodeRequest(withHeader).body, withHeader)
          onlyDecodeErrors(() => decodeRequest(frame).body, frame)
        }), { numRuns: 30 })
      }
    }
  })

  test('mutated real frames into every request and response decoder', () => {
    for (const api of Object.values<ApiDescriptor>(apis)) {
      for (const version of versionsOf(api)) {
        fc.assert(fc.property(
          structArbitrary(api.request, version), structArbitrary(api.response, version), fc.array(mutation, { minLength: 1, maxLength: 4 }),
          (request, response, mutations) => {
            const requestFrame = encodeRequest(api, version, { correlationId: 1, clientId: 'fuzz' }, request)
            const responseFrame = encodeResponse(api, version, 1, response)
            const mutatedRequest = mutate(requestFrame, mutations)
            const mutatedResponse = mutate(responseFrame, mutations)
            onlyDecodeErrors(() => decodeRequest(mutatedRequest).body, mutatedRequest)
            onlyDecodeErrors(() => decodeResponse(api, version, mutatedResponse).body, mutatedResponse)
          }
        ), { numRuns: 25 })
      }
    }
  })

  test('absurd array and string lengths are refused before allocating', () => {
    // Metadata v0 response: throttle-less, brokers count 2^31-1 in an 8-byte frame.
    const frame = Buffer.from([0, 0, 0, 1, 0x7f, 0xff, 0xff, 0xff])
    assert.throws(() => decodeResponse(apis.Metadata, 0, frame), (error: unknown) => error instanceof ProtocolDecodeError && /cannot fit/.test(error.message))
    // Metadata v12 (flexible) response: compact string length near 2^32 for the first broker host.
    const flexible = Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0x0f])
    assert.throws(() => decodeResponse(apis.Metadata, 12, flexible), ProtocolDecodeError)
  })
})

describe('fuzzing the record decoders', () => {
  const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const

  test('random bytes into the record set decoder', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.boolean(), async (bytes, magicTwo) => {
      const input = Buffer.from(bytes)
      if (magicTwo && input.length > 16) input[16] = 2
      try {
        await decodeRecordSet(input)
      } catch (error) {
        assert.ok(error instanceof ProtocolDecodeError, String(error))
      }
    }), { numRuns: 200 })
  })

  for (const compression of CODECS) {
    test(`mutated ${compression} batches (CRC re-computed so the codec sees the damage)`, async () => {
      const batch = await encodeRecordBatch({
        compression,
        records: Array.from({ length: 5 }, (_, i) => ({ key: `key-${i}`, value: Buffer.alloc(40, i), headers: [{ key: 'h', value: 'v' }] })),
      })
      await fc.assert(fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean(), async (mutations, fixCrc) => {
        const mutated = mutate(batch, mutations)
        if (fixCrc && mutated.length >= 61) {
          mutated.writeInt32BE(mutated.length - 12, 8)
          mutated[16] = 2
          mutated.writeUInt32BE(crc32c(mutated, 21), 17)
        }
        try {
          await decodeRecordSet(mutated)
        } catch (error) {
          assert.ok(error instanceof ProtocolDecodeError, String((error as Error)?.stack ?? error))
        }
      }), { numRuns: 150 })
    })
  }
})
