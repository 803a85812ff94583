/**
 * Keeps clients within the versions the proxy can rewrite: an ApiVersions answer that offers
 * an API whose answers carry broker addresses (rewrite.ts: Metadata, FindCoordinator,
 * DescribeCluster, Fetch, Produce) above what steadfast's descriptors know is
 * re-encoded with those maxima lowered. Otherwise a client could pick a newer version, whose
 * answer the proxy cannot decode and would have to relay with the upstream addresses in it.
 * Answers that need no cap are not touched.
 */
import { apis } from '../../protocol/apis/index.ts'
import { decodeResponse, encodeResponse } from '../../protocol/framing.ts'
import { ADDRESS_APIS } from './rewrite.ts'

const CAPS: ReadonlyMap<number, number> = new Map(ADDRESS_APIS.map((api) => [api.apiKey, api.maxVersion]))

/** The ApiVersions answer with capped maxima, or the same frame when none is above its cap. */
export function capApiVersions (apiVersion: number, frame: Buffer): Buffer {
  let decoded
  try {
    decoded = decodeResponse(apis.ApiVersions, apiVersion, frame)
  } catch {
    // A broker refusing this ApiVersions version answers in the v0 layout with an error and no
    // rewritable APIs; the client asks again at a version it was told about.
    return frame
  }
  const { correlationId, body } = decoded
  const over = body.apiKeys.flatMap((entry) => {
    const cap = CAPS.get(entry.apiKey)
    return cap !== undefined && entry.maxVersion > cap ? [{ entry, cap }] : []
  })
  if (over.length === 0) return frame
  for (const { entry, cap } of over) entry.maxVersion = cap
  return encodeResponse(apis.ApiVersions, apiVersion, correlationId, body)
}
