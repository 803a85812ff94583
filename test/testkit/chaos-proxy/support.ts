/**
 * Shared by the chaos-proxy tests: a proxy closed when its test ends, TCP reachability of a port,
 * and single requests on a bare network Connection (no ApiVersions first, so a black-holed
 * broker can be reached at all), encoded and decoded with the protocol codec.
 */
import { connect } from 'node:net'
import type { TestContext } from 'node:test'
import { Connection } from '../../../src/network/connection.ts'
import type { RequestBody, ResponseBody } from '../../../src/protocol/messages.ts'
import type { ApiDescriptor } from '../../../src/protocol/descriptor.ts'
import { decodeResponse, encodeRequest } from '../../../src/protocol/framing.ts'
import { ChaosProxy, type ProxiedBroker } from '../../../src/testkit/index.ts'
import { silent } from '../../producer/helpers.ts'

export async function startProxy (t: TestContext, upstream: string): Promise<ChaosProxy> {
  const proxy = await ChaosProxy.start({ upstream, logger: silent })
  t.after(() => proxy.close())
  return proxy
}

/** 'connected', or the error code of the refusal (ECONNREFUSED). */
export async function connectOutcome (port: number): Promise<string> {
  return await new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => { socket.destroy(); resolve('connected') })
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
  })
}

/** A bare connection to one broker through the proxy, closed when the test ends. */
export async function open (t: TestContext, broker: ProxiedBroker, requestTimeoutMs = 10_000): Promise<Connection> {
  const connection = await Connection.connect({ host: broker.host, port: broker.port, requestTimeoutMs, logger: silent })
  t.after(() => connection.close())
  return connection
}

/** Sends one request at a fixed version and returns the decoded answer body. */
export async function send<A extends ApiDescriptor> (connection: Connection, api: A, version: number, body: RequestBody<A>): Promise<ResponseBody<A>> {
  return await connection.send({
    label: `${api.name} v${version}`,
    encode: (correlationId) => encodeRequest(api, version, { correlationId, clientId: 'chaos-proxy-test' }, body),
    decode: (frame) => decodeResponse(api, version, frame, { trailingBytes: 'ignore' }).body,
  })
}

/** The ports of the proxy's listeners. */
export function ports (proxy: ChaosProxy): number[] {
  return proxy.brokers.map((b) => b.port)
}

/** Sends one request at a fixed version and returns the answer frame exactly as it arrived. */
export async function sendRaw<A extends ApiDescriptor> (connection: Connection, api: A, version: number, body: RequestBody<A>): Promise<Buffer> {
  return await connection.send({
    label: `${api.name} v${version}`,
    encode: (correlationId) => encodeRequest(api, version, { correlationId, clientId: 'chaos-proxy-test' }, body),
    decode: (frame) => Buffer.from(frame),
  })
}
