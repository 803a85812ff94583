/**
 * SASL on a real exchange: SaslHandshake then SaslAuthenticate, PLAIN and SCRAM-SHA-256/512,
 * against a scripted broker that plays the server side of SCRAM (librdkafka's mock has no SASL).
 */
import { afterEach, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto'
import { BrokerConnection, type SaslOptions } from '../../src/cluster/broker-connection.ts'
import { SaslAuthenticationError } from '../../src/network/sasl/scram.ts'
import { apis } from '../../src/protocol/apis/index.ts'
import { decodeRequest, encodeResponseBody } from '../../src/protocol/framing.ts'
import { KafkaProtocolError } from '../../src/resilience/errors.ts'
import { classify } from '../../src/resilience/classify.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { ScriptedBroker, type CapturedRequest } from '../support/scripted-broker.ts'

const logger = createLogger({ level: 'silent' })
const HANDSHAKE = apis.SaslHandshake
const AUTH = apis.SaslAuthenticate

function handshake (enabled: string[]) {
  return (request: CapturedRequest): Buffer => {
    const { mechanism } = decodeRequest(request.frame).body as { mechanism: string }
    return encodeResponseBody(HANDSHAKE, request.apiVersion, { errorCode: enabled.includes(mechanism) ? 0 : 33, mechanisms: enabled })
  }
}

function authAnswer (request: CapturedRequest, authBytes: Buffer, errorCode = 0, errorMessage: string | null = null): Buffer {
  return encodeResponseBody(AUTH, request.apiVersion, { errorCode, errorMessage, authBytes, sessionLifetimeMs: 0n })
}

function authBytesOf (request: CapturedRequest): Buffer {
  return (decodeRequest(request.frame).body as { authBytes: Buffer }).authBytes
}

/** The server side of SCRAM (RFC 5802) for one user, as two scripted SaslAuthenticate answers. */
function scramServer (hash: 'sha256' | 'sha512', user: string, password: string, options: { forgeSignature?: boolean } = {}) {
  const salt = randomBytes(16)
  const iterations = 4096
  const salted = pbkdf2Sync(password, salt, iterations, createHash(hash).digest().length, hash)
  const hmac = (key: Buffer, text: string): Buffer => createHmac(hash, key).update(text).digest()
  const storedKey = createHash(hash).update(hmac(salted, 'Client Key')).digest()
  let clientFirstBare = ''
  let serverFirst = ''
  return [
    (request: CapturedRequest): Buffer => {
      const first = authBytesOf(request).toString()
      assert.match(first, new RegExp(`^n,,n=${user},r=`))
      clientFirstBare = first.slice(3)
      const clientNonce = clientFirstBare.split(',r=')[1]
      serverFirst = `r=${clientNonce}${randomBytes(12).toString('base64')},s=${salt.toString('base64')},i=${iterations}`
      return authAnswer(request, Buffer.from(serverFirst))
    },
    (request: CapturedRequest): Buffer => {
      const final = authBytesOf(request).toString()
      const withoutProof = final.slice(0, final.lastIndexOf(',p='))
      const proof = Buffer.from(final.slice(final.lastIndexOf(',p=') + 3), 'base64')
      const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`
      const signature = hmac(storedKey, authMessage)
      const clientKey = Buffer.from(proof.map((b, i) => b ^ (signature[i] ?? 0)))
      const ok = timingSafeEqual(createHash(hash).update(clientKey).digest(), storedKey)
      if (!ok) return authAnswer(request, Buffer.alloc(0), 58, 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM')
      const serverSignature = options.forgeSignature === true ? randomBytes(signature.length) : hmac(hmac(salted, 'Server Key'), authMessage)
      return authAnswer(request, Buffer.from(`v=${serverSignature.toString('base64')}`))
    },
  ]
}

let broker: ScriptedBroker | undefined
async function serve (): Promise<ScriptedBroker> {
  broker = await new ScriptedBroker([[HANDSHAKE.apiKey, 0, 1], [AUTH.apiKey, 0, 2]]).start()
  return broker
}
afterEach(async () => { await broker?.stop() })

async function open (b: ScriptedBroker, sasl: SaslOptions): Promise<BrokerConnection> {
  return await BrokerConnection.open({ nodeId: 1, host: '127.0.0.1', port: b.port }, { logger, sasl })
}

describe('SASL', () => {
  test('PLAIN sends authzid NUL user NUL password after the handshake', async () => {
    const b = await serve()
    b.respond(HANDSHAKE.apiKey, handshake(['PLAIN']))
    b.respond(AUTH.apiKey, (request) => {
      assert.deepEqual(authBytesOf(request), Buffer.from('\0alice\0s3cret'))
      return authAnswer(request, Buffer.alloc(0))
    })
    const connection = await open(b, { mechanism: 'PLAIN', username: 'alice', password: 's3cret' })
    assert.deepEqual(b.requests.map((r) => [r.apiKey, r.apiVersion]), [[HANDSHAKE.apiKey, 1], [AUTH.apiKey, 2]])
    connection.close()
  })

  for (const [mechanism, hash] of [['SCRAM-SHA-256', 'sha256'], ['SCRAM-SHA-512', 'sha512']] as const) {
    test(`${mechanism}: the full exchange, with the server's signature checked`, async () => {
      const b = await serve()
      b.respond(HANDSHAKE.apiKey, handshake(['PLAIN', mechanism]))
      b.respond(AUTH.apiKey, ...scramServer(hash, 'bob', 'pencil'))
      const connection = await open(b, { mechanism, username: 'bob', password: 'pencil' })
      assert.equal(b.captured(AUTH.apiKey).length, 2)
      connection.close()
    })
  }

  test('a wrong password fails with the broker\'s message, and is fatal', async () => {
    const b = await serve()
    b.respond(HANDSHAKE.apiKey, handshake(['SCRAM-SHA-256']))
    b.respond(AUTH.apiKey, ...scramServer('sha256', 'bob', 'pencil'))
    const error = await open(b, { mechanism: 'SCRAM-SHA-256', username: 'bob', password: 'wrong' }).catch((e: unknown) => e)
    assert.ok(error instanceof SaslAuthenticationError)
    assert.match(error.message, /SASL SCRAM-SHA-256 authentication as bob to broker 1 .* failed: Authentication failed .* invalid credentials/)
    assert.equal(classify(error).action, 'fatal')
  })

  test('a server that cannot prove it knows the password is refused', async () => {
    const b = await serve()
    b.respond(HANDSHAKE.apiKey, handshake(['SCRAM-SHA-512']))
    b.respond(AUTH.apiKey, ...scramServer('sha512', 'bob', 'pencil', { forgeSignature: true }))
    await assert.rejects(open(b, { mechanism: 'SCRAM-SHA-512', username: 'bob', password: 'pencil' }), /server signature does not match/)
  })

  test('a mechanism the broker does not enable is named, with the ones it does', async () => {
    const b = await serve()
    b.respond(HANDSHAKE.apiKey, handshake(['SCRAM-SHA-512', 'GSSAPI']))
    const error = await open(b, { mechanism: 'PLAIN', username: 'a', password: 'b' }).catch((e: unknown) => e)
    assert.ok(error instanceof KafkaProtocolError)
    assert.equal(error.errorName, 'UNSUPPORTED_SASL_MECHANISM')
    assert.match(error.message, /for PLAIN \(broker enables: SCRAM-SHA-512, GSSAPI\)/)
  })
})
