/**
 * One TCP (or TLS) connection to one broker: size-prefixed framing, correlation ids, pipelined
 * requests up to `maxInFlight`, a timeout per request, write backpressure, and clean failure:
 * when the socket dies every request in flight or queued is rejected with a TransportError
 * (action `reconnect`), so callers never hang on a dead broker.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net'
import { connect as tlsConnect, type ConnectionOptions as TlsOptions } from 'node:tls'
import { EventEmitter } from 'node:events'
import type { Logger } from '../observability/logger.ts'
import { rootLogger } from '../observability/logger.ts'
import { AbortedError, InvalidArgumentError, ProtocolDecodeError, TransportError } from '../resilience/errors.ts'
import { toTransportError } from '../resilience/transport-error.ts'
import { FrameDecoder } from './frame-decoder.ts'
import type { WireRequest } from './wire-request.ts'

export interface ConnectionOptions {
  host: string
  port: number
  /** TLS options, or true for TLS with Node's defaults. */
  tls?: TlsOptions | boolean
  connectTimeoutMs?: number
  /** Stops a connect in progress (the caller's deadline or shutdown); ignored once connected. */
  signal?: AbortSignal
  /** Time allowed for a response once the request is written. */
  requestTimeoutMs?: number
  /** Requests written and not yet answered; more wait in a queue. */
  maxInFlight?: number
  /** Frames larger than this are refused as a protocol error (default 100 MiB). */
  maxFrameBytes?: number
  /** For logs and errors, e.g. "broker 2 (127.0.0.1:9092)". */
  label?: string
  logger?: Logger
}

export interface SendOptions {
  timeoutMs?: number
  signal?: AbortSignal
}

interface Pending {
  request: WireRequest<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
  timeoutMs: number
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
  timer?: ReturnType<typeof setTimeout>
  correlationId?: number
  /** The caller stopped waiting; the response is still read and dropped to keep the stream in step. */
  abandoned?: boolean
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000
const DEFAULTS = { connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS, requestTimeoutMs: 30_000, maxInFlight: 5, maxFrameBytes: 100 * 1024 * 1024 }

export class Connection extends EventEmitter {
  readonly host: string
  readonly port: number
  readonly label: string
  readonly #socket: Socket
  readonly #options: typeof DEFAULTS
  readonly #decoder: FrameDecoder
  readonly #logger: Logger
  #inFlight = new Map<number, Pending>()
  #queue: Pending[] = []
  #nextCorrelationId = 1
  #closedError: TransportError | undefined
  #writable = true
  /** Fails the connection when the socket stays unwritable (peer not reading) too long. */
  #drainTimer: ReturnType<typeof setTimeout> | undefined

  private constructor (socket: Socket, options: ConnectionOptions) {
    super()
    this.host = options.host
    this.port = options.port
    this.label = options.label ?? `${options.host}:${options.port}`
    this.#socket = socket
    this.#options = {
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
      maxInFlight: options.maxInFlight ?? DEFAULTS.maxInFlight,
      maxFrameBytes: options.maxFrameBytes ?? DEFAULTS.maxFrameBytes,
    }
    this.#decoder = new FrameDecoder(this.#options.maxFrameBytes)
    this.#logger = options.logger ?? rootLogger()
    socket.setNoDelay(true)
    socket.setKeepAlive(true, 30_000)
    socket.on('data', (chunk: Buffer) => this.#onData(chunk))
    socket.on('drain', () => {
      this.#writable = true
      clearTimeout(this.#drainTimer)
      this.#drainTimer = undefined
      this.#pump()
    })
    socket.on('error', (error: NodeJS.ErrnoException) => this.#fail(toTransportError(error, `connection to ${this.label} failed`)))
    socket.on('close', () => this.#fail(new TransportError(`connection to ${this.label} closed by the broker (EOF)`, 'EOF')))
    socket.on('end', () => this.#fail(new TransportError(`connection to ${this.label} closed by the broker (EOF)`, 'EOF')))
  }

  /** Opens a connection; rejects with a TransportError (refused, unreachable, timeout, TLS). */
  static async connect (options: ConnectionOptions): Promise<Connection> {
    if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) {
      throw new InvalidArgumentError(`broker port must be an integer in 1..65535, got ${options.port} for host ${options.host}`)
    }
    const label = options.label ?? `${options.host}:${options.port}`
    const timeoutMs = options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs
    const signal = options.signal
    if (signal?.aborted === true) throw new AbortedError(`connecting to ${label} aborted before it started`, { cause: signal.reason })
    const started = Date.now()
    const socket = await new Promise<Socket>((resolve, reject) => {
      const useTls = options.tls !== undefined && options.tls !== false
      const tlsOptions = typeof options.tls === 'object' ? options.tls : {}
      const socket: Socket = useTls
        // SNI carries host names only (RFC 6066); for an IP address the certificate is still checked against it.
        ? tlsConnect({ ...(isIP(options.host) === 0 ? { servername: options.host } : {}), ...tlsOptions, host: options.host, port: options.port })
        : netConnect({ host: options.host, port: options.port })
      const fail = (error: Error): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        socket.destroy()
        reject(error)
      }
      const timer = setTimeout(() => {
        fail(new TransportError(`connecting to ${label} timed out after ${timeoutMs} ms`, 'ETIMEDOUT'))
      }, timeoutMs)
      const onAbort = (): void => {
        fail(new TransportError(`connecting to ${label} did not complete within ${Date.now() - started} ms (stopped by the caller)`, 'ETIMEDOUT', { cause: signal?.reason }))
      }
      const onError = (error: NodeJS.ErrnoException): void => fail(toTransportError(error, `connection to ${label} failed`))
      signal?.addEventListener('abort', onAbort, { once: true })
      socket.once('error', onError)
      socket.once(useTls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        socket.off('error', onError)
        resolve(socket)
      })
    })
    return new Connection(socket, options)
  }

  get closed (): boolean {
    return this.#closedError !== undefined
  }

  /** Requests written and waiting for their response. */
  get inFlight (): number {
    return this.#inFlight.size
  }

  /** Sends a request; resolves with its decoded response (undefined when none is expected). */
  send<T> (request: WireRequest<T>, options: SendOptions = {}): Promise<T> {
    if (this.#closedError !== undefined) return Promise.reject(this.#closedError)
    if (options.signal?.aborted === true) return Promise.reject(new AbortedError(`${request.label} to ${this.label} aborted before it was sent`, { cause: options.signal.reason }))
    return new Promise<T>((resolve, reject) => {
      const pending: Pending = {
        request: request as WireRequest<unknown>,
        resolve: resolve as (value: unknown) => void,
        reject,
        timeoutMs: options.timeoutMs ?? this.#options.requestTimeoutMs,
        signal: options.signal,
        onAbort: undefined,
      }
      if (options.signal !== undefined) {
        pending.onAbort = () => this.#abandon(pending, new AbortedError(`${request.label} to ${this.label} aborted`, { cause: options.signal?.reason }))
        options.signal.addEventListener('abort', pending.onAbort, { once: true })
      }
      this.#queue.push(pending)
      this.#pump()
    })
  }

  /** Closes the connection; every request in flight or queued fails with a TransportError. */
  close (): void {
    this.#fail(new TransportError(`connection to ${this.label} closed by the client`, 'ECONNCLOSED'))
  }

  #pump (): void {
    while (this.#writable && this.#closedError === undefined && this.#inFlight.size < this.#options.maxInFlight) {
      const pending = this.#queue.shift()
      if (pending === undefined) return
      this.#write(pending)
    }
  }

  #write (pending: Pending): void {
    const correlationId = this.#nextCorrelationId
    this.#nextCorrelationId = this.#nextCorrelationId >= 0x7fffffff ? 1 : this.#nextCorrelationId + 1
    let payload: Buffer | readonly Buffer[]
    try {
      payload = pending.request.encode(correlationId)
    } catch (error) {
      this.#settle(pending)
      pending.reject(error)
      return
    }
    // The size prefix goes in a buffer of its own, written together with the payload's pieces
    // (corked: one writev), rather than copying them (a Produce request's record batches) into one frame.
    const pieces = Buffer.isBuffer(payload) ? [payload] : payload
    let length = 0
    for (const piece of pieces) length += piece.length
    const size = Buffer.allocUnsafe(4)
    size.writeInt32BE(length, 0)
    const expectResponse = pending.request.expectResponse !== false
    if (expectResponse) {
      pending.correlationId = correlationId
      this.#inFlight.set(correlationId, pending)
      pending.timer = setTimeout(() => {
        // Responses on a connection come in order, so a lost one blocks every later one:
        // the only safe recovery is a new connection.
        this.#fail(new TransportError(`${pending.request.label} to ${this.label} got no response within ${pending.timeoutMs} ms`, 'ETIMEDOUT'))
      }, pending.timeoutMs)
    }
    this.#socket.cork()
    this.#writable = this.#socket.write(size)
    for (const piece of pieces) this.#writable = this.#socket.write(piece)
    this.#socket.uncork()
    if (!this.#writable && this.#drainTimer === undefined) {
      // A peer that stops reading would otherwise hold every queued request forever (requests
      // without a response, like Produce with acks=0, have no timer of their own).
      this.#drainTimer = setTimeout(() => {
        this.#fail(new TransportError(`${this.label} has not read what was sent for ${this.#options.requestTimeoutMs} ms`, 'ETIMEDOUT'))
      }, this.#options.requestTimeoutMs)
    }
    if (!expectResponse) {
      this.#settle(pending)
      pending.resolve(undefined)
    }
  }

  #onData (chunk: Buffer): void {
    let frames: Buffer[]
    try {
      frames = this.#decoder.push(chunk)
    } catch (error) {
      // "HTTP" read as a size is 1.2 GB: say what the peer is instead of only that the frame is too big.
      const hint = chunk.subarray(0, 5).toString('latin1') === 'HTTP/' ? ' (the peer answered in HTTP: a web server\'s port, not a Kafka listener?)' : ''
      this.#fail(new TransportError(`bad frame from ${this.label}: ${(error as Error).message}${hint}`, 'EPROTO', { cause: error }))
      return
    }
    for (const frame of frames) {
      if (frame.length < 4) {
        this.#fail(new TransportError(`response frame of ${frame.length} bytes from ${this.label} has no correlation id`, 'EPROTO'))
        return
      }
      const correlationId = frame.readInt32BE(0)
      const pending = this.#inFlight.get(correlationId)
      if (pending === undefined) {
        this.#fail(new TransportError(`response from ${this.label} carries unknown correlation id ${correlationId}`, 'EPROTO'))
        return
      }
      this.#inFlight.delete(correlationId)
      this.#settle(pending)
      if (pending.abandoned === true) continue
      try {
        pending.resolve(pending.request.decode(frame))
      } catch (error) {
        pending.reject(error instanceof ProtocolDecodeError ? error : new ProtocolDecodeError(`cannot decode ${pending.request.label} response from ${this.label}: ${(error as Error).message}`, { cause: error }))
      }
    }
    this.#pump()
  }

  #abandon (pending: Pending, error: Error): void {
    const queued = this.#queue.indexOf(pending)
    if (queued >= 0) this.#queue.splice(queued, 1)
    else pending.abandoned = true
    if (pending.timer !== undefined && queued >= 0) clearTimeout(pending.timer)
    pending.reject(error)
  }

  #settle (pending: Pending): void {
    if (pending.timer !== undefined) clearTimeout(pending.timer)
    if (pending.onAbort !== undefined) pending.signal?.removeEventListener('abort', pending.onAbort)
  }

  #fail (error: TransportError): void {
    if (this.#closedError !== undefined) return
    this.#closedError = error
    clearTimeout(this.#drainTimer)
    this.#socket.destroy()
    const all = [...this.#inFlight.values(), ...this.#queue]
    this.#inFlight.clear()
    this.#queue = []
    for (const pending of all) {
      this.#settle(pending)
      if (pending.abandoned !== true) pending.reject(error)
    }
    this.#logger.debug({ connection: this.label, failed: all.length, reason: error.systemCode }, 'connection closed')
    this.emit('close', error)
  }
}
