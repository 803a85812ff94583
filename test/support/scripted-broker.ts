/**
 * A single broker on loopback that speaks just enough Kafka for what librdkafka's mock lacks
 * (admin APIs such as CreateTopics and DeleteTopics; SASL): it answers ApiVersions and Metadata about itself, records
 * every other request frame byte for byte, and answers with the bytes the test scripted. Tests use
 * it to hold the client's requests and its reading of responses to golden bytes taken from Kafka's
 * message definitions; everything the mock can serve is tested against the mock instead.
 */
import { createServer, type Server, type Socket } from 'node:net'
import { once } from 'node:events'
import { FrameDecoder } from '../../src/network/frame-decoder.ts'
import { apis } from '../../src/protocol/apis/index.ts'
import { decodeRequestHeader, encodeResponse } from '../../src/protocol/framing.ts'

export interface CapturedRequest {
  apiKey: number
  apiVersion: number
  correlationId: number
  /** The whole request frame without the size prefix: header and body. */
  frame: Buffer
}

/** A responder's answer for a broker that reads the request and never answers (a stalled broker). */
export const NO_ANSWER = Symbol('no answer')

/**
 * Builds a response body for a captured request: the body bytes (no header), undefined to drop
 * the connection without answering (an answer lost after the broker acted on the request), or
 * NO_ANSWER to keep the connection open and silent.
 */
export type Responder = (request: CapturedRequest) => Buffer | undefined | typeof NO_ANSWER

export interface ScriptedBrokerOptions {
  /** Newest ApiVersions version answered; newer requests get UNSUPPORTED_VERSION in v0 layout, as Kafka brokers do. */
  apiVersionsMax?: number
  /** Metadata versions offered (default 1-12). */
  metadata?: [number, number]
}

export class ScriptedBroker {
  readonly requests: CapturedRequest[] = []
  /** ApiVersions versions asked, in order. */
  readonly apiVersionsAsked: number[] = []
  readonly #server: Server
  readonly #sockets = new Set<Socket>()
  readonly #responders = new Map<number, Responder[]>()
  readonly #offered: Map<number, [number, number]>
  readonly #apiVersionsMax: number
  port = 0

  constructor (offered: Array<[apiKey: number, min: number, max: number]>, options: ScriptedBrokerOptions = {}) {
    this.#apiVersionsMax = options.apiVersionsMax ?? 3
    this.#offered = new Map(offered.map(([key, min, max]) => [key, [min, max]]))
    this.#offered.set(apis.ApiVersions.apiKey, [0, this.#apiVersionsMax])
    this.#offered.set(apis.Metadata.apiKey, options.metadata ?? [1, 12])
    this.#server = createServer((socket) => this.#serve(socket))
  }

  async start (): Promise<this> {
    this.#server.listen(0, '127.0.0.1')
    await once(this.#server, 'listening')
    this.port = (this.#server.address() as { port: number }).port
    return this
  }

  get bootstrap (): string {
    return `127.0.0.1:${this.port}`
  }

  /** Queues answers for an API key, used in order, one per request. */
  respond (apiKey: number, ...responders: Responder[]): void {
    this.#responders.set(apiKey, [...(this.#responders.get(apiKey) ?? []), ...responders])
  }

  captured (apiKey: number): CapturedRequest[] {
    return this.requests.filter((r) => r.apiKey === apiKey)
  }

  async stop (): Promise<void> {
    for (const socket of this.#sockets) socket.destroy()
    this.#server.close()
    await once(this.#server, 'close')
  }

  #serve (socket: Socket): void {
    this.#sockets.add(socket)
    socket.on('close', () => this.#sockets.delete(socket))
    socket.on('error', () => {})
    const decoder = new FrameDecoder(1 << 20)
    socket.on('data', (chunk) => {
      for (const frame of decoder.push(chunk)) {
        const header = decodeRequestHeader(frame)
        const reply = this.#answer({ apiKey: header.apiKey, apiVersion: header.apiVersion, correlationId: header.correlationId, frame: Buffer.from(frame) })
        if (reply === NO_ANSWER) continue
        if (reply === undefined) {
          // Nothing scripted: drop the connection, as a broker that cannot answer would.
          socket.destroy()
          return
        }
        const sized = Buffer.alloc(4 + reply.length)
        sized.writeInt32BE(reply.length, 0)
        reply.copy(sized, 4)
        socket.write(sized)
      }
    })
  }

  #answer (request: CapturedRequest): Buffer | undefined | typeof NO_ANSWER {
    if (request.apiKey === apis.ApiVersions.apiKey) {
      this.apiVersionsAsked.push(request.apiVersion)
      const apiKeys = [...this.#offered].map(([apiKey, [minVersion, maxVersion]]) => ({ apiKey, minVersion, maxVersion }))
      if (request.apiVersion > this.#apiVersionsMax) {
        return encodeResponse(apis.ApiVersions, 0, request.correlationId, { errorCode: 35, apiKeys })
      }
      return encodeResponse(apis.ApiVersions, request.apiVersion, request.correlationId, { errorCode: 0, apiKeys })
    }
    if (request.apiKey === apis.Metadata.apiKey) {
      return encodeResponse(apis.Metadata, request.apiVersion, request.correlationId, {
        brokers: [{ nodeId: 1, host: '127.0.0.1', port: this.port, rack: null }],
        clusterId: 'scripted',
        controllerId: 1,
        topics: [],
      })
    }
    this.requests.push(request)
    const responder = this.#responders.get(request.apiKey)?.shift()
    if (responder === undefined) return undefined
    const body = responder(request)
    if (body === undefined || body === NO_ANSWER) return body
    // Response header: correlation id, plus empty tagged fields for flexible versions.
    const flexible = request.frame.length > 0 && isFlexible(request)
    const header = Buffer.alloc(flexible ? 5 : 4)
    header.writeInt32BE(request.correlationId, 0)
    return Buffer.concat([header, body])
  }
}

function isFlexible (request: CapturedRequest): boolean {
  const api = Object.values(apis).find((a) => a.apiKey === request.apiKey)
  return api?.flexibleFrom != null && request.apiVersion >= api.flexibleFrom
}

/** Hex (whitespace and comments after # ignored) to bytes, for readable golden values. */
export function hex (text: string): Buffer {
  return Buffer.from(text.replace(/#[^\n]*/g, '').replace(/\s+/g, ''), 'hex')
}

/** The request frame after the header: client id "steadfast" and, for flexible versions, empty tags. */
export function requestBody (request: CapturedRequest): Buffer {
  const clientIdLength = request.frame.readInt16BE(8)
  const headerLength = 10 + Math.max(0, clientIdLength) + (isFlexible(request) ? 1 : 0)
  return request.frame.subarray(headerLength)
}
