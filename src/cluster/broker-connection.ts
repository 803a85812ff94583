/**
 * A connection to one broker that knows which API versions that broker speaks. On every new
 * connection it asks ApiVersions (falling back to the version the broker reports when it answers
 * UNSUPPORTED_VERSION, as brokers before Kafka 2.4 do for v3+), then authenticates with SASL when
 * configured. Each request then goes out at the highest version both sides support.
 */
import { Connection, DEFAULT_CONNECT_TIMEOUT_MS, type ConnectionOptions } from '../network/connection.ts'
import type { WireRequest } from '../network/wire-request.ts'
import { plainInitialResponse, SaslAuthenticationError, ScramClient, type ScramMechanism } from '../network/sasl/scram.ts'
import type { ApiDescriptor } from '../protocol/descriptor.ts'
import type { RequestBody, ResponseBody } from '../protocol/messages.ts'
import { apis } from '../protocol/apis/index.ts'
import { decodeResponse, encodeRequestPieces } from '../protocol/framing.ts'
import { registerSecret } from '../observability/redact.ts'
import { traceRequest, type RequestDiagnostic } from '../observability/tracing.ts'
import { KafkaErrorCode, kafkaError } from '../resilience/kafka-errors.ts'
import { AbortedError, ProtocolDecodeError, TransportError } from '../resilience/errors.ts'
import { UnsupportedApiError } from './errors.ts'
import { pickVersion, type BrokerApiVersions, type VersionRange } from './versions.ts'

export interface SaslOptions {
  mechanism: 'PLAIN' | ScramMechanism
  username: string
  password: string
}

export interface BrokerEndpoint {
  /** Undefined for a bootstrap address whose broker id is not known yet. */
  nodeId: number | undefined
  host: string
  port: number
}

export interface BrokerConnectionOptions extends Omit<ConnectionOptions, 'host' | 'port' | 'label'> {
  clientId?: string
  sasl?: SaslOptions
  /**
   * The ApiVersions version to ask first (default: the newest steadfast speaks). The cluster
   * passes the version this broker accepted last time, saving a round trip on reconnects to
   * brokers that reject the newest one.
   */
  apiVersionsVersion?: number
}

export interface RequestOptions {
  /** Use at most this version (for callers whose body only makes sense up to a version). */
  maxVersion?: number
  timeoutMs?: number
  signal?: AbortSignal
}

export interface FireAndForgetOptions extends RequestOptions {
  /** False for Produce with acks=0: the request then resolves with undefined. */
  expectResponse: boolean
}

export interface Response<A extends ApiDescriptor = ApiDescriptor> {
  version: number
  body: ResponseBody<A>
  throttleTimeMs?: number
}

type ApiVersionsAnswer = ResponseBody<typeof apis.ApiVersions>

export function endpointLabel (endpoint: BrokerEndpoint): string {
  return endpoint.nodeId === undefined
    ? `bootstrap ${endpoint.host}:${endpoint.port}`
    : `broker ${endpoint.nodeId} (${endpoint.host}:${endpoint.port})`
}

export class BrokerConnection {
  readonly endpoint: BrokerEndpoint
  readonly label: string
  readonly #connection: Connection
  readonly #clientId: string
  #versions: BrokerApiVersions = new Map()
  #apiVersionsVersion = 0

  private constructor (endpoint: BrokerEndpoint, connection: Connection, clientId: string) {
    this.endpoint = endpoint
    this.label = endpointLabel(endpoint)
    this.#connection = connection
    this.#clientId = clientId
  }

  /**
   * Connects, negotiates versions and authenticates, all within `connectTimeoutMs` (like Kafka's
   * socket.connection.setup.timeout.ms) and until `signal` aborts: a broker that accepts the
   * connection and never answers fails the set-up with an error naming the step that stalled.
   */
  static async open (endpoint: BrokerEndpoint, options: BrokerConnectionOptions = {}): Promise<BrokerConnection> {
    const label = endpointLabel(endpoint)
    registerSecret(options.sasl?.password)
    const budgetMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
    const started = Date.now()
    const connection = await Connection.connect({ ...options, host: endpoint.host, port: endpoint.port, label, connectTimeoutMs: budgetMs })
    const broker = new BrokerConnection(endpoint, connection, options.clientId ?? 'steadfast')
    const setup: SetupStep = {
      name: 'ApiVersions',
      timeoutMs: () => Math.max(1, budgetMs - (Date.now() - started)),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    }
    try {
      broker.#versions = await broker.#negotiate(options.apiVersionsVersion, setup)
      if (options.sasl !== undefined) {
        setup.name = `SASL ${options.sasl.mechanism} authentication`
        await broker.#authenticate(options.sasl, setup)
      }
    } catch (error) {
      connection.close()
      throw setupError(error, label, setup.name, Date.now() - started)
    }
    return broker
  }

  /** The ApiVersions version this broker answered. */
  get apiVersionsVersion (): number {
    return this.#apiVersionsVersion
  }

  /** What the broker offers, by API key. */
  get versions (): BrokerApiVersions {
    return this.#versions
  }

  get closed (): boolean {
    return this.#connection.closed
  }

  /** Calls `listener` once when the connection closes, for whatever reason. */
  onClose (listener: (error: Error) => void): void {
    this.#connection.once('close', listener)
  }

  close (): void {
    this.#connection.close()
  }

  /** The version to use for `api`; throws UnsupportedApiError naming the API and this broker. */
  versionFor (api: ApiDescriptor, maxVersion?: number): number {
    const offered = this.#versions.get(api.apiKey)
    const capped = maxVersion === undefined || offered === undefined ? offered : { min: offered.min, max: Math.min(offered.max, maxVersion) }
    const version = pickVersion(api, capped)
    if (version === undefined) {
      const detail = offered === undefined
        ? 'the broker does not offer this API (its ApiVersions answer does not list it)'
        : `the broker offers versions ${offered.min}-${offered.max}, steadfast speaks ${api.minVersion}-${Math.min(api.maxVersion, maxVersion ?? Infinity)}`
      throw new UnsupportedApiError(api.name, this.label, detail)
    }
    return version
  }

  /**
   * Sends one request at the negotiated version. `body` may depend on the version chosen. Resolves
   * with the answer, or with undefined when `expectResponse` is false (no answer comes).
   */
  async request<A extends ApiDescriptor> (api: A, body: RequestBody<A> | ((version: number) => RequestBody<A>), options?: RequestOptions): Promise<Response<A>>
  async request<A extends ApiDescriptor> (api: A, body: RequestBody<A> | ((version: number) => RequestBody<A>), options: FireAndForgetOptions): Promise<Response<A> | undefined>
  async request<A extends ApiDescriptor> (api: A, body: RequestBody<A> | ((version: number) => RequestBody<A>), options: RequestOptions & Partial<FireAndForgetOptions> = {}): Promise<Response<A> | undefined> {
    const version = this.versionFor(api, options.maxVersion)
    const message = typeof body === 'function' ? body(version) : body
    const wire: WireRequest<Response<A>> = {
      label: `${api.name} v${version}`,
      expectResponse: options.expectResponse,
      encode: (correlationId) => encodeRequestPieces(api, version, { correlationId, clientId: this.#clientId }, message),
      decode: (frame) => {
        const decoded = decodeResponse(api, version, frame, { trailingBytes: 'ignore' })
        return decoded.throttleTimeMs === undefined ? { version, body: decoded.body } : { version, body: decoded.body, throttleTimeMs: decoded.throttleTimeMs }
      },
    }
    const sendOptions = { ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }), ...(options.signal === undefined ? {} : { signal: options.signal }) }
    const diagnostic = (): RequestDiagnostic => ({ system: 'kafka', operation: api.name, version, target: this.label, clientId: this.#clientId })
    return await traceRequest(diagnostic, async () => await this.#connection.send(wire, sendOptions))
  }

  async #negotiate (first: number | undefined, setup: SetupStep): Promise<BrokerApiVersions> {
    let version = Math.min(first ?? apis.ApiVersions.maxVersion, apis.ApiVersions.maxVersion)
    for (let attempt = 0; attempt < 3; attempt++) {
      const sent = version
      const body = await this.#connection.send<ApiVersionsAnswer>({
        label: `ApiVersions v${sent}`,
        encode: (correlationId) => encodeRequestPieces(apis.ApiVersions, sent, { correlationId, clientId: this.#clientId }, {
          clientSoftwareName: 'steadfast',
          clientSoftwareVersion: '0.1.0',
        }),
        decode: (frame) => decodeApiVersions(frame, sent),
      }, { timeoutMs: setup.timeoutMs(), ...(setup.signal === undefined ? {} : { signal: setup.signal }) })
      const offered = new Map<number, VersionRange>()
      for (const entry of body.apiKeys) {
        offered.set(entry.apiKey, { min: entry.minVersion, max: entry.maxVersion })
      }
      if (body.errorCode === KafkaErrorCode.UNSUPPORTED_VERSION) {
        // The broker answered in v0 and lists what it speaks: ask again at that version.
        const next = pickVersion(apis.ApiVersions, offered.get(apis.ApiVersions.apiKey)) ?? 0
        if (next >= sent) break
        version = next
        continue
      }
      if (body.errorCode !== KafkaErrorCode.NONE) throw kafkaError(body.errorCode, `ApiVersions v${sent} to ${this.label}`)
      this.#apiVersionsVersion = sent
      return offered
    }
    throw new UnsupportedApiError('ApiVersions', this.label, `no common ApiVersions version (last tried v${version})`)
  }

  async #authenticate (sasl: SaslOptions, setup: SetupStep): Promise<void> {
    const step = (): RequestOptions => ({ timeoutMs: setup.timeoutMs(), ...(setup.signal === undefined ? {} : { signal: setup.signal }) })
    const handshake = await this.request(apis.SaslHandshake, { mechanism: sasl.mechanism }, step())
    if (handshake.body.errorCode !== KafkaErrorCode.NONE) {
      const enabled = handshake.body.mechanisms.join(', ')
      throw kafkaError(handshake.body.errorCode, `SASL handshake with ${this.label} for ${sasl.mechanism} (broker enables: ${enabled})`)
    }
    const exchange = async (bytes: Buffer): Promise<Buffer> => {
      const response = await this.request(apis.SaslAuthenticate, { authBytes: bytes }, step())
      if (response.body.errorCode !== KafkaErrorCode.NONE) {
        throw new SaslAuthenticationError(`SASL ${sasl.mechanism} authentication as ${sasl.username} to ${this.label} failed: ${String(response.body.errorMessage ?? 'no message')}`,
          { cause: kafkaError(response.body.errorCode, 'SaslAuthenticate') })
      }
      return response.body.authBytes
    }
    if (sasl.mechanism === 'PLAIN') {
      await exchange(plainInitialResponse(sasl.username, sasl.password))
      return
    }
    const scram = new ScramClient({ mechanism: sasl.mechanism, username: sasl.username, password: sasl.password })
    const serverFirst = await exchange(Buffer.from(scram.clientFirst()))
    const serverFinal = await exchange(Buffer.from(scram.clientFinal(serverFirst.toString())))
    scram.verifyServerFinal(serverFinal.toString())
  }
}

/** The step of a connection's set-up under way, and what is left of its time. */
interface SetupStep {
  name: string
  timeoutMs: () => number
  signal?: AbortSignal
}

/**
 * A set-up failure after the broker accepted the connection, saying so and naming the step: a
 * silent or stalled broker (no answer in time, or the caller stopped waiting) and one that hung
 * up mid-answer become TransportErrors (reconnect: another broker may answer); what the broker
 * answered (an error code, an unreadable frame, a refused login) is passed on as it is.
 */
function setupError (error: unknown, label: string, step: string, elapsedMs: number): unknown {
  if (error instanceof AbortedError || (error instanceof TransportError && error.systemCode === 'ETIMEDOUT')) {
    return new TransportError(`${label} accepted the connection but did not answer ${step} within ${elapsedMs} ms`, 'ETIMEDOUT', { cause: error })
  }
  if (error instanceof TransportError) {
    return new TransportError(`${label} accepted the connection but ${step} failed: ${error.message}`, error.systemCode, { cause: error, action: error.action })
  }
  return error
}

/**
 * ApiVersions answers are always header v0, and a broker that does not speak the requested
 * version answers UNSUPPORTED_VERSION with a v0 body: read the error code first to pick the schema.
 */
function decodeApiVersions (frame: Buffer, version: number): ApiVersionsAnswer {
  if (frame.length >= 6 && frame.readInt16BE(4) === KafkaErrorCode.UNSUPPORTED_VERSION && version > 0) {
    try {
      return decodeResponse(apis.ApiVersions, 0, frame).body
    } catch {
      // Some brokers (librdkafka's mock among them) write this answer in a flexible layout that
      // v0 cannot read. An empty list makes the caller fall back to v0, which every broker speaks.
      return { errorCode: KafkaErrorCode.UNSUPPORTED_VERSION, apiKeys: [] }
    }
  }
  try {
    return decodeResponse(apis.ApiVersions, version, frame).body
  } catch (error) {
    if (error instanceof ProtocolDecodeError) throw new ProtocolDecodeError(`ApiVersions v${version} answer could not be read: ${error.message}`, { cause: error })
    throw error
  }
}
