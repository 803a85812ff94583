/**
 * Per-broker version negotiation: for each API, the highest version that both steadfast and the
 * broker speak. There is deliberately no user setting for this: a version pinned by hand is wrong
 * for some broker sooner or later, and a client pinned below what a broker needs fails on it.
 */
import type { ApiDescriptor } from '../protocol/descriptor.ts'
import { apis } from '../protocol/apis/index.ts'

export interface VersionRange {
  min: number
  max: number
}

/** What one broker offers, by API key. */
export type BrokerApiVersions = ReadonlyMap<number, VersionRange>

/** The version to use for `api` with a broker offering `offered`, or undefined when none is common. */
export function pickVersion (api: ApiDescriptor, offered: VersionRange | undefined): number | undefined {
  if (offered === undefined) return undefined
  const max = Math.min(api.maxVersion, offered.max)
  const min = Math.max(api.minVersion, offered.min)
  return max >= min ? max : undefined
}

export interface NegotiatedApi {
  api: string
  apiKey: number
  /** Undefined when the broker does not offer the API or no version is common. */
  version: number | undefined
  broker: VersionRange | undefined
  client: VersionRange
}

/** The negotiated version of every API steadfast speaks, for one broker (for `cluster info`). */
export function negotiateAll (offered: BrokerApiVersions): NegotiatedApi[] {
  return Object.values(apis)
    .map((api) => ({
      api: api.name,
      apiKey: api.apiKey,
      version: pickVersion(api, offered.get(api.apiKey)),
      broker: offered.get(api.apiKey),
      client: { min: api.minVersion, max: api.maxVersion },
    }))
    .sort((a, b) => a.apiKey - b.apiKey)
}
