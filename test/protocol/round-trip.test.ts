import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  apis, decodeRequest, decodeResponse, encodeRequest, encodeResponse,
} from '../../src/protocol/index.ts'
import type { ApiDescriptor } from '../../src/protocol/index.ts'
import { structArbitrary } from './arbitraries.ts'

describe('every API and version round-trips through the generic codec', () => {
  for (const api of Object.values<ApiDescriptor>(apis)) {
    test(`${api.name} v${api.minVersion}-v${api.maxVersion}`, () => {
      for (let version = api.minVersion; version <= api.maxVersion; version++) {
        fc.assert(fc.property(structArbitrary(api.request, version), fc.integer(), (body, correlationId) => {
          const frame = encodeRequest(api, version, { correlationId, clientId: 'rt' }, body)
          const decoded = decodeRequest(frame)
          assert.equal(decoded.api, api)
          assert.equal(decoded.apiVersion, version)
          assert.equal(decoded.correlationId, correlationId)
          assert.deepEqual(decoded.body, body)
        }), { numRuns: 15 })
        fc.assert(fc.property(structArbitrary(api.response, version), fc.integer(), (body, correlationId) => {
          const frame = encodeResponse(api, version, correlationId, body)
          const decoded = decodeResponse(api, version, frame)
          assert.equal(decoded.correlationId, correlationId)
          assert.deepEqual(decoded.body, body)
        }), { numRuns: 15 })
      }
    })
  }
})
