/**
 * One client connection relayed to its upstream broker. Both directions are split into frames
 * (network/FrameDecoder); each request header is read (protocol/decodeRequestHeader) to apply the
 * faults in force and to remember the request's API key and version by correlation id, so that
 * the answer can be matched to it. Answers that carry broker addresses are rewritten (rewrite.ts),
 * ApiVersions answers capped to the versions that can be rewritten (version-cap.ts); every other
 * frame is relayed byte for byte, in order.
 */
import { connect, type Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { FrameDecoder } from '../../network/frame-decoder.ts'
import { apis } from '../../protocol/apis/index.ts'
import { decodeRequest, decodeRequestHeader, responseCorrelationId } from '../../protocol/framing.ts'
import type { Logger } from '../../observability/logger.ts'
import type { Faults } from './faults.ts'
import { carriesAddresses, mayCarryAddresses, rewriteAnswer, type Address, type ListenerFor } from './rewrite.ts'
import type { StatsRecorder } from './stats.ts'
import { capApiVersions } from './version-cap.ts'

/** Larger than any frame a broker or client sends by default (fetch.max.bytes is 50 MiB). */
const MAX_FRAME_BYTES = 1024 * 1024 * 1024

export interface RequestEvent {
  brokerId: number
  apiKey: number
  apiVersion: number
  correlationId: number
}

export interface SessionContext {
  brokerId: number
  upstream: Address
  faults: Faults
  stats: StatsRecorder
  listenerFor: ListenerFor
  logger: Logger
  onBlackholed: (request: RequestEvent) => void
  onAnswerDropped: (request: RequestEvent) => void
}

interface PendingRequest extends RequestEvent {
  /** The answer is to be swallowed and the connection closed (`dropNextAnswer`). */
  drop: boolean
}

function sized (frame: Buffer): Buffer {
  const size = Buffer.allocUnsafe(4)
  size.writeInt32BE(frame.length, 0)
  return Buffer.concat([size, frame])
}

/** Produce with acks=0 is never answered: remembering it would leave a request waiting forever. */
function expectsAnswer (apiKey: number, frame: Buffer): boolean {
  if (apiKey !== apis.Produce.apiKey) return true
  try {
    return decodeRequest(frame).body.acks !== 0
  } catch {
    // A Produce version steadfast does not know: assume an answer comes, as it does for acks != 0.
    return true
  }
}

export class Session {
  readonly brokerId: number
  readonly #context: SessionContext
  readonly #client: Socket
  readonly #upstream: Socket
  readonly #requests = new FrameDecoder(MAX_FRAME_BYTES)
  readonly #answers = new FrameDecoder(MAX_FRAME_BYTES)
  readonly #pending = new Map<number, PendingRequest>()
  /** Each direction is a chain, so delayed or rewritten frames keep their order. */
  #toUpstream: Promise<void> = Promise.resolve()
  #toClient: Promise<void> = Promise.resolve()
  #closing = false
  readonly closed: Promise<void>

  constructor (client: Socket, context: SessionContext) {
    this.brokerId = context.brokerId
    this.#context = context
    this.#client = client
    this.#upstream = connect({ host: context.upstream.host, port: context.upstream.port })
    client.setNoDelay(true)
    this.#upstream.setNoDelay(true)
    const clientClosed = new Promise<void>((resolve) => client.once('close', () => resolve()))
    const upstreamClosed = new Promise<void>((resolve) => this.#upstream.once('close', () => resolve()))
    context.stats.connectionOpened(context.brokerId)
    this.closed = Promise.all([clientClosed, upstreamClosed]).then(() => context.stats.connectionClosed(context.brokerId))
    for (const socket of [client, this.#upstream]) {
      socket.on('error', (error: NodeJS.ErrnoException) => {
        context.logger.debug({ brokerId: this.brokerId, side: socket === client ? 'client' : 'upstream', code: error.code }, 'proxied connection failed')
        this.destroy()
      })
      socket.on('close', () => this.destroy())
    }
    client.on('data', (chunk: Buffer) => this.#onRequestBytes(chunk))
    this.#upstream.on('data', (chunk: Buffer) => this.#onAnswerBytes(chunk))
  }

  /** Closes both sides; with `reset`, the client gets a TCP RST (ECONNRESET) instead of a FIN. */
  destroy (options: { reset?: boolean } = {}): void {
    if (this.#closing) return
    this.#closing = true
    if (options.reset === true && !this.#client.destroyed) this.#client.resetAndDestroy()
    else this.#client.destroy()
    this.#upstream.destroy()
  }

  #onRequestBytes (chunk: Buffer): void {
    let frames: Buffer[]
    try {
      frames = this.#requests.push(chunk)
    } catch (error) {
      this.#context.logger.warn({ brokerId: this.brokerId, error: (error as Error).message }, 'client sent a bad frame; closing its connection')
      this.destroy()
      return
    }
    for (const frame of frames) this.#onRequest(frame)
  }

  #onRequest (frame: Buffer): void {
    const { brokerId, faults, stats } = this.#context
    let request: RequestEvent
    try {
      const header = decodeRequestHeader(frame)
      request = { brokerId, apiKey: header.apiKey, apiVersion: header.apiVersion, correlationId: header.correlationId }
    } catch (error) {
      this.#context.logger.warn({ brokerId, error: (error as Error).message }, 'client sent a request without a valid header; closing its connection')
      this.destroy()
      return
    }
    stats.request(brokerId, request.apiKey)
    if (faults.isBlackholed(brokerId, request.apiKey)) {
      stats.blackholed()
      this.#context.onBlackholed(request)
      return
    }
    if (expectsAnswer(request.apiKey, frame)) {
      this.#pending.set(request.correlationId, { ...request, drop: faults.takeDrop(brokerId, request.apiKey) })
    }
    const dueAt = performance.now() + faults.latencyOf(brokerId)
    this.#toUpstream = this.#toUpstream.then(async () => {
      // A timer may fire a little before its time by the clock; the latency is a minimum, so wait again.
      for (let wait = dueAt - performance.now(); wait > 0; wait = dueAt - performance.now()) await sleep(wait)
      this.#write(this.#upstream, this.#client, sized(frame))
    })
  }

  #onAnswerBytes (chunk: Buffer): void {
    let frames: Buffer[]
    try {
      frames = this.#answers.push(chunk)
    } catch (error) {
      this.#context.logger.warn({ brokerId: this.brokerId, error: (error as Error).message }, 'broker sent a bad frame; closing the connection')
      this.destroy()
      return
    }
    for (const frame of frames) this.#onAnswer(frame)
  }

  #onAnswer (frame: Buffer): void {
    if (this.#closing) return
    const correlationId = frame.length >= 4 ? responseCorrelationId(frame) : -1
    const request = this.#pending.get(correlationId)
    this.#pending.delete(correlationId)
    if (request?.drop === true) {
      this.#context.stats.answerDropped()
      this.#context.onAnswerDropped({ brokerId: request.brokerId, apiKey: request.apiKey, apiVersion: request.apiVersion, correlationId })
      // The broker did the work; the client never hears of it and sees its connection close.
      this.destroy()
      return
    }
    this.#toClient = this.#toClient.then(async () => {
      this.#write(this.#client, this.#upstream, sized(await this.#answerFor(request, frame)))
    }).catch((error: unknown) => {
      // Relaying the answer unchanged would hand the client the upstream addresses.
      this.#context.logger.warn({ brokerId: this.brokerId, correlationId, error: (error as Error).message }, 'cannot rewrite an answer; closing the connection')
      this.destroy()
    })
  }

  /** The answer to relay: addresses rewritten, ApiVersions capped, anything else as it came. */
  async #answerFor (request: PendingRequest | undefined, frame: Buffer): Promise<Buffer> {
    if (request === undefined) return frame
    if (request.apiKey === apis.ApiVersions.apiKey && request.apiVersion <= apis.ApiVersions.maxVersion) return capApiVersions(request.apiVersion, frame)
    if (carriesAddresses(request.apiKey, request.apiVersion)) return await rewriteAnswer(request.apiKey, request.apiVersion, frame, this.#context.listenerFor)
    if (mayCarryAddresses(request.apiKey, request.apiVersion)) {
      // Only a client that ignored the capped ApiVersions answer gets here.
      this.#context.logger.warn({ brokerId: this.brokerId, apiKey: request.apiKey, apiVersion: request.apiVersion }, 'answer of a version the proxy cannot rewrite relayed with the upstream addresses in it')
    }
    return frame
  }

  /** Writes to one side; while it cannot take more, stops reading the other. */
  #write (to: Socket, from: Socket, bytes: Buffer): void {
    if (this.#closing) return
    if (!to.write(bytes) && !from.isPaused()) {
      from.pause()
      to.once('drain', () => from.resume())
    }
  }
}
