/**
 * SCRAM client (RFC 5802, with the SHA-256 / SHA-512 variants of RFC 7677 that Kafka offers):
 * builds the client-first and client-final messages and verifies the server's signature, so a
 * man in the middle cannot fake a successful login. Pure: the exchange itself is in sasl.ts.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto'
import { SteadfastError } from '../../resilience/errors.ts'
import { saslprep } from './saslprep.ts'

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512'

/** Hash per mechanism; SHA-1 exists only so the RFC 5802 test vector can check the algorithm. */
const HASHES = { 'SCRAM-SHA-1': 'sha1', 'SCRAM-SHA-256': 'sha256', 'SCRAM-SHA-512': 'sha512' } as const

export class SaslAuthenticationError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_SASL'
  constructor (message: string, options: { cause?: unknown } = {}) {
    super(message, { action: 'fatal', reason: 'sasl', cause: options.cause })
  }
}

/** RFC 5802 saslname: ',' and '=' are escaped. */
function saslName (name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C')
}

function parseAttributes (message: string): Map<string, string> {
  const attributes = new Map<string, string>()
  for (const part of message.split(',')) {
    const eq = part.indexOf('=')
    if (eq !== 1) throw new SaslAuthenticationError(`malformed SCRAM server message: "${message}"`)
    attributes.set(part[0] ?? '', part.slice(2))
  }
  return attributes
}

export interface ScramClientOptions {
  mechanism: ScramMechanism | 'SCRAM-SHA-1'
  username: string
  password: string
  /** Only for tests with known vectors; random otherwise. */
  nonce?: string
}

export class ScramClient {
  readonly #hash: string
  readonly #password: string
  readonly #nonce: string
  readonly #clientFirstBare: string
  #serverSignature: Buffer | undefined

  constructor (options: ScramClientOptions) {
    this.#hash = HASHES[options.mechanism]
    // RFC 5802 §2.2: both are SASLprepped before use, so non-ASCII credentials give the same bytes
    // however they were typed (composed or not). Kafka's own broker stores the password's UTF-8 as
    // given, which SASLprep leaves alone when it is already in that composed form.
    this.#password = saslprep(options.password, 'SCRAM password')
    this.#nonce = options.nonce ?? randomBytes(24).toString('base64').replace(/[=,]/g, '')
    this.#clientFirstBare = `n=${saslName(saslprep(options.username, 'SCRAM user name'))},r=${this.#nonce}`
  }

  /** The first message: GS2 header (no channel binding) + bare client-first. */
  clientFirst (): string {
    return `n,,${this.#clientFirstBare}`
  }

  /** Answers the server's challenge with the proof of the password. */
  clientFinal (serverFirst: string): string {
    const attributes = parseAttributes(serverFirst)
    const nonce = attributes.get('r')
    const salt = attributes.get('s')
    const iterations = Number(attributes.get('i'))
    if (nonce === undefined || !nonce.startsWith(this.#nonce) || nonce.length === this.#nonce.length) {
      throw new SaslAuthenticationError('SCRAM server nonce does not extend the client nonce (possible attack or broken server)')
    }
    if (salt === undefined || !Number.isInteger(iterations) || iterations < 1 || iterations > 1_000_000) {
      throw new SaslAuthenticationError(`SCRAM server-first message lacks a valid salt or iteration count: "${serverFirst}"`)
    }
    const keyLength = createHash(this.#hash).digest().length
    const salted = pbkdf2Sync(this.#password, Buffer.from(salt, 'base64'), iterations, keyLength, this.#hash)
    const clientKey = this.#hmac(salted, 'Client Key')
    const storedKey = createHash(this.#hash).update(clientKey).digest()
    const withoutProof = `c=biws,r=${nonce}`
    const authMessage = `${this.#clientFirstBare},${serverFirst},${withoutProof}`
    const clientSignature = this.#hmac(storedKey, authMessage)
    const proof = Buffer.alloc(clientKey.length)
    for (let i = 0; i < proof.length; i++) proof[i] = (clientKey[i] ?? 0) ^ (clientSignature[i] ?? 0)
    this.#serverSignature = this.#hmac(this.#hmac(salted, 'Server Key'), authMessage)
    return `${withoutProof},p=${proof.toString('base64')}`
  }

  /** Checks the server's final message; throws if it reports an error or its signature is wrong. */
  verifyServerFinal (serverFinal: string): void {
    const attributes = parseAttributes(serverFinal)
    const error = attributes.get('e')
    if (error !== undefined) throw new SaslAuthenticationError(`SCRAM authentication failed: ${error}`)
    const verifier = attributes.get('v')
    if (this.#serverSignature === undefined || verifier === undefined) {
      throw new SaslAuthenticationError('SCRAM server-final message came before client-final, or has no verifier')
    }
    const got = Buffer.from(verifier, 'base64')
    if (got.length !== this.#serverSignature.length || !timingSafeEqual(got, this.#serverSignature)) {
      throw new SaslAuthenticationError('SCRAM server signature does not match: the server does not know the password')
    }
  }

  #hmac (key: Buffer, text: string): Buffer {
    return createHmac(this.#hash, key).update(text).digest()
  }
}

/** SASL/PLAIN initial response (RFC 4616): authzid NUL authcid NUL password. */
export function plainInitialResponse (username: string, password: string): Buffer {
  return Buffer.from(`\u0000${username}\u0000${password}`, 'utf8')
}
