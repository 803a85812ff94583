/**
 * ApiVersions answers are capped to the versions the proxy can rewrite of every API whose answers
 * carry broker addresses (Metadata, FindCoordinator, DescribeCluster, Fetch, Produce); an answer
 * within those versions is relayed as the very same bytes.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { apis } from '../../../src/protocol/apis/index.ts'
import { decodeResponse, encodeResponse } from '../../../src/protocol/framing.ts'
import { capApiVersions } from '../../../src/testkit/chaos-proxy/version-cap.ts'

function answer (version: number, maxima: Record<number, number>): Buffer {
  const apiKeys = Object.entries(maxima).map(([apiKey, maxVersion]) => ({ apiKey: Number(apiKey), minVersion: 0, maxVersion }))
  return encodeResponse(apis.ApiVersions, version, 77, { errorCode: 0, apiKeys, throttleTimeMs: 0, finalizedFeaturesEpoch: 5n })
}

function maxima (version: number, frame: Buffer): Record<number, number> {
  const body = decodeResponse(apis.ApiVersions, version, frame).body
  return Object.fromEntries(body.apiKeys.map((k) => [k.apiKey, k.maxVersion]))
}

describe('capApiVersions', () => {
  for (const version of [0, 3, 4]) {
    test(`v${version}: maxima above the descriptors' are lowered to them; other APIs keep theirs`, () => {
      // Produce 12 and Fetch 19 are above what the descriptors know (11, 18); OffsetCommit (8) is no address API.
      const offered = { [apis.Produce.apiKey]: 12, [apis.Fetch.apiKey]: 19, [apis.Metadata.apiKey]: 99, [apis.FindCoordinator.apiKey]: 40, [apis.DescribeCluster.apiKey]: 1, 8: 30, 18: 4 }
      const capped = capApiVersions(version, answer(version, offered))
      assert.deepEqual(maxima(version, capped), { ...offered, [apis.Produce.apiKey]: 11, [apis.Fetch.apiKey]: 18, [apis.Metadata.apiKey]: apis.Metadata.maxVersion, [apis.FindCoordinator.apiKey]: apis.FindCoordinator.maxVersion })
      assert.equal(decodeResponse(apis.ApiVersions, version, capped).correlationId, 77)
    })
  }

  test('an answer within the known versions is the same buffer, byte for byte', () => {
    const frame = answer(3, { [apis.Produce.apiKey]: 11, 8: 30, [apis.Metadata.apiKey]: apis.Metadata.maxVersion })
    assert.equal(capApiVersions(3, frame), frame)
  })

  test('an answer that does not decode at the asked version (a v0 error answer) is relayed as it came', () => {
    const frame = encodeResponse(apis.ApiVersions, 0, 5, { errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 2 }] })
    assert.equal(capApiVersions(3, frame), frame)
  })
})
