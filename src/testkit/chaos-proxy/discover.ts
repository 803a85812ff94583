/**
 * Learns the upstream brokers before the proxy opens its listeners: one Metadata request (for no
 * topics) to the first bootstrap address that answers, so every broker has a listener, and the
 * proxy a bootstrap list, from the start.
 */
import { Connection } from '../../network/connection.ts'
import { apis } from '../../protocol/apis/index.ts'
import { decodeResponse, encodeRequest } from '../../protocol/framing.ts'
import { ChaosProxyUnavailableError } from './errors.ts'
import type { Address, AdvertisedBroker } from './rewrite.ts'

/** Kafka 4 removed Metadata v0–3 (KIP-896); v4 is the oldest every broker of 2.x to 4.x accepts. */
const METADATA_VERSION = 4

export async function discoverBrokers (bootstrap: readonly Address[], timeoutMs: number): Promise<AdvertisedBroker[]> {
  const failures: string[] = []
  for (const address of bootstrap) {
    let connection: Connection | undefined
    try {
      connection = await Connection.connect({ ...address, connectTimeoutMs: timeoutMs, requestTimeoutMs: timeoutMs, label: `upstream ${address.host}:${address.port}` })
      const body = await connection.send({
        label: `Metadata v${METADATA_VERSION}`,
        encode: (correlationId) => encodeRequest(apis.Metadata, METADATA_VERSION, { correlationId, clientId: 'steadfast-chaos-proxy' }, { topics: [], allowAutoTopicCreation: false }),
        decode: (frame) => decodeResponse(apis.Metadata, METADATA_VERSION, frame, { trailingBytes: 'ignore' }).body,
      })
      return body.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port }))
    } catch (error) {
      failures.push(`${address.host}:${address.port} (${(error as Error).message})`)
    } finally {
      connection?.close()
    }
  }
  throw new ChaosProxyUnavailableError(`no upstream broker answered Metadata; tried ${failures.join('; ')}`)
}
