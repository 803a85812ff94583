/**
 * The answers that carry broker addresses — Metadata (brokers), FindCoordinator (v0–3 one
 * coordinator, v4+ a list) and DescribeCluster (brokers) — decoded with the protocol codec,
 * their host/port replaced by the proxy's own listener for each node id, and encoded again.
 * Every other answer is relayed untouched by the session; this file only knows these three.
 */
import { apis } from '../../protocol/apis/index.ts'
import type { Message } from '../../protocol/codec.ts'
import type { ApiDescriptor } from '../../protocol/descriptor.ts'
import { decodeResponse, encodeResponse } from '../../protocol/framing.ts'

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

/** The broker entries of an answer whose host and port are to be replaced, with their node id field. */
function addressEntries (apiKey: number, apiVersion: number, body: Message): Array<{ entry: Message, idField: string }> {
  switch (apiKey) {
    case apis.Metadata.apiKey:
      return (body.brokers as Message[]).map((entry) => ({ entry, idField: 'nodeId' }))
    case apis.FindCoordinator.apiKey: {
      const coordinators = apiVersion >= 4 ? body.coordinators as Message[] : [body]
      // An error answer has node id -1 and an empty host: nothing to point at.
      return coordinators.filter((c) => c.errorCode === 0 && c.nodeId >= 0).map((entry) => ({ entry, idField: 'nodeId' }))
    }
    default:
      if (body.endpointType === CONTROLLER_ENDPOINTS) return []
      return (body.brokers as Message[]).map((entry) => ({ entry, idField: 'brokerId' }))
  }
}

/**
 * Rewrites one answer frame (without its size prefix). `learn` sees every upstream address
 * before it is replaced, so the proxy can follow brokers that moved upstream.
 * Unknown tagged fields and bytes a broker appends after the message are not carried over.
 */
export async function rewriteAnswer (apiKey: number, apiVersion: number, frame: Buffer, listenerFor: ListenerFor): Promise<Buffer> {
  const api = REWRITTEN.get(apiKey) as ApiDescriptor
  // librdkafka's mock appends a byte to Metadata v12 answers; Kafka's own clients ignore such bytes too.
  const { correlationId, body } = decodeResponse(api, apiVersion, frame, { trailingBytes: 'ignore' })
  for (const { entry, idField } of addressEntries(apiKey, apiVersion, body)) {
    const local = await listenerFor({ nodeId: entry[idField] as number, host: entry.host as string, port: entry.port as number })
    entry.host = local.host
    entry.port = local.port
  }
  return encodeResponse(api, apiVersion, correlationId, body)
}
