/**
 * The answers that carry broker addresses — Metadata (brokers), FindCoordinator (v0–3 one
 * coordinator, v4+ a list), DescribeCluster (brokers), and Fetch v16+ and Produce v10+ (KIP-951's
 * nodeEndpoints: where the new leader of a partition that moved listens) — decoded with the
 * protocol codec, their host/port replaced by the proxy's own listener for each node id, and
 * encoded again. A Fetch or Produce answer without nodeEndpoints (nearly all of them) is relayed
 * as it came. Every other answer is relayed untouched by the session; this file only knows these.
 */
import { apis } from '../../protocol/apis/index.ts'
import type { ApiDescriptor } from '../../protocol/descriptor.ts'
import { decodeResponse, encodeResponse } from '../../protocol/framing.ts'
import { KafkaErrorCode } from '../../resilience/kafka-errors.ts'

export interface Address {
  host: string
  port: number
}

/** A broker address seen in an answer: the node id and where the upstream broker listens. */
export interface AdvertisedBroker extends Address {
  nodeId: number
}

/** Returns the proxy's listener address for a broker (opening a listener when it is new). */
export type ListenerFor = (broker: AdvertisedBroker) => Promise<Address>

/** DescribeCluster's endpointType for controllers (KIP-919): those are not brokers and stay as they are. */
const CONTROLLER_ENDPOINTS = 2

/** Each API whose answers can carry broker addresses, and the first version whose answers do. */
const REWRITTEN: ReadonlyMap<number, { api: ApiDescriptor, from: number }> = new Map([
  { api: apis.Metadata, from: apis.Metadata.minVersion },
  { api: apis.FindCoordinator, from: apis.FindCoordinator.minVersion },
  { api: apis.DescribeCluster, from: apis.DescribeCluster.minVersion },
  { api: apis.Fetch, from: 16 },
  { api: apis.Produce, from: 10 },
].map((entry) => [entry.api.apiKey, entry]))

/** The APIs the proxy caps in ApiVersions answers: a newer version's answer could not be rewritten. */
export const ADDRESS_APIS: readonly ApiDescriptor[] = [...REWRITTEN.values()].map((entry) => entry.api)

/** True when answers of this API at this version carry broker addresses the proxy must rewrite. */
export function carriesAddresses (apiKey: number, apiVersion: number): boolean {
  const entry = REWRITTEN.get(apiKey)
  return entry !== undefined && apiVersion >= entry.from && apiVersion <= entry.api.maxVersion
}

/** Whether an answer at a version the proxy cannot decode may carry addresses (a client that ignored the capped ApiVersions). */
export function mayCarryAddresses (apiKey: number, apiVersion: number): boolean {
  const entry = REWRITTEN.get(apiKey)
  return entry !== undefined && apiVersion > entry.api.maxVersion
}

/** An entry naming a broker that answers (an error answer has node id -1 and an empty host: nothing to point at). */
function pointsAtBroker<T extends Partial<AdvertisedBroker> & { errorCode?: number }> (entry: T): entry is T & AdvertisedBroker {
  return entry.errorCode === KafkaErrorCode.NONE && entry.nodeId !== undefined && entry.nodeId >= 0 && entry.host !== undefined && entry.port !== undefined
}

/** Replaces each entry's host and port by the proxy's listener for its node (which sees the upstream address first). */
async function pointAtProxy (entries: Array<{ nodeId: number, entry: Address }>, listenerFor: ListenerFor): Promise<void> {
  for (const { nodeId, entry } of entries) {
    const local = await listenerFor({ nodeId, host: entry.host, port: entry.port })
    entry.host = local.host
    entry.port = local.port
  }
}

/** librdkafka's mock appends a byte to Metadata v12 answers; Kafka's own clients ignore such bytes too. */
const IGNORE_TRAILING_BYTES = { trailingBytes: 'ignore' } as const

/**
 * Rewrites one answer frame (without its size prefix). `listenerFor` sees every upstream address
 * before it is replaced, so the proxy can follow brokers that moved upstream.
 * Unknown tagged fields and bytes a broker appends after the message are not carried over.
 */
export async function rewriteAnswer (apiKey: number, apiVersion: number, frame: Buffer, listenerFor: ListenerFor): Promise<Buffer> {
  switch (apiKey) {
    case apis.Metadata.apiKey: {
      const { correlationId, body } = decodeResponse(apis.Metadata, apiVersion, frame, IGNORE_TRAILING_BYTES)
      await pointAtProxy(body.brokers.map((entry) => ({ nodeId: entry.nodeId, entry })), listenerFor)
      return encodeResponse(apis.Metadata, apiVersion, correlationId, body)
    }
    case apis.FindCoordinator.apiKey: {
      const { correlationId, body } = decodeResponse(apis.FindCoordinator, apiVersion, frame, IGNORE_TRAILING_BYTES)
      // v0-3 answer with one coordinator at the top level, v4+ with a list.
      const coordinators = apiVersion >= 4 ? body.coordinators ?? [] : [body]
      await pointAtProxy(coordinators.filter(pointsAtBroker).map((entry) => ({ nodeId: entry.nodeId, entry })), listenerFor)
      return encodeResponse(apis.FindCoordinator, apiVersion, correlationId, body)
    }
    case apis.Fetch.apiKey: {
      const { correlationId, body } = decodeResponse(apis.Fetch, apiVersion, frame, IGNORE_TRAILING_BYTES)
      if (body.nodeEndpoints === undefined || body.nodeEndpoints.length === 0) return frame
      await pointAtProxy(body.nodeEndpoints.map((entry) => ({ nodeId: entry.nodeId, entry })), listenerFor)
      return encodeResponse(apis.Fetch, apiVersion, correlationId, body)
    }
    case apis.Produce.apiKey: {
      const { correlationId, body } = decodeResponse(apis.Produce, apiVersion, frame, IGNORE_TRAILING_BYTES)
      if (body.nodeEndpoints === undefined || body.nodeEndpoints.length === 0) return frame
      await pointAtProxy(body.nodeEndpoints.map((entry) => ({ nodeId: entry.nodeId, entry })), listenerFor)
      return encodeResponse(apis.Produce, apiVersion, correlationId, body)
    }
    default: {
      const { correlationId, body } = decodeResponse(apis.DescribeCluster, apiVersion, frame, IGNORE_TRAILING_BYTES)
      if (body.endpointType !== CONTROLLER_ENDPOINTS) await pointAtProxy(body.brokers.map((entry) => ({ nodeId: entry.brokerId, entry })), listenerFor)
      return encodeResponse(apis.DescribeCluster, apiVersion, correlationId, body)
    }
  }
}
