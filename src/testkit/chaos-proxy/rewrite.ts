/**
 * The answers that carry broker addresses — Metadata (brokers), FindCoordinator (v0–3 one
 * coordinator, v4+ a list) and DescribeCluster (brokers) — decoded with the protocol codec,
 * their host/port replaced by the proxy's own listener for each node id, and encoded again.
 * Every other answer is relayed untouched by the session; this file only knows these three.
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

const REWRITTEN: ReadonlyMap<number, ApiDescriptor> = new Map([apis.Metadata, apis.FindCoordinator, apis.DescribeCluster].map((api) => [api.apiKey, api]))

/** True for the APIs whose answers carry broker addresses, at any version. */
export function isAddressApi (apiKey: number): boolean {
  return REWRITTEN.has(apiKey)
}

/** True when answers of this API at this version carry broker addresses the proxy must rewrite. */
export function carriesAddresses (apiKey: number, apiVersion: number): boolean {
  const api = REWRITTEN.get(apiKey)
  return api !== undefined && apiVersion >= api.minVersion && apiVersion <= api.maxVersion
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
    default: {
      const { correlationId, body } = decodeResponse(apis.DescribeCluster, apiVersion, frame, IGNORE_TRAILING_BYTES)
      if (body.endpointType !== CONTROLLER_ENDPOINTS) await pointAtProxy(body.brokers.map((entry) => ({ nodeId: entry.brokerId, entry })), listenerFor)
      return encodeResponse(apis.DescribeCluster, apiVersion, correlationId, body)
    }
  }
}
