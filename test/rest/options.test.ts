/**
 * The connection options both REST clients take, through the shared option parser: what each
 * schema accepts and refuses (with the rule it names), and which extra headers count as
 * credentials to redact.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { z } from 'zod'
import { options, parseOptions } from '../../src/resilience/options.ts'
import { basicAuthSchema, headersSchema, httpUrlSchema, isCredentialHeader, restTlsSchema } from '../../src/rest/options.ts'

const schema = options({ tls: restTlsSchema, auth: basicAuthSchema, headers: headersSchema, url: httpUrlSchema, urls: z.array(httpUrlSchema) })
const parse = (given: Record<string, unknown>): unknown => parseOptions('rest test', schema, given)
const refused = (given: Record<string, unknown>, message: string): void => {
  assert.throws(() => parse(given), (error: unknown) => error instanceof Error && error.message === message)
}

describe('restTlsSchema', () => {
  test('PEM text, a Buffer or a list of them for ca, cert and key; a string passphrase; a boolean rejectUnauthorized; a servername', () => {
    const tls = { ca: ['a', Buffer.from('b')], cert: 'c', key: Buffer.from('k'), passphrase: '', rejectUnauthorized: false, servername: 'cc.internal' }
    assert.deepEqual(parse({ tls }), { tls })
  })

  test('anything else is refused with its rule', () => {
    refused({ tls: { ca: 42 } }, 'rest test option tls.ca must be PEM text, a Buffer or a list of them, got 42')
    refused({ tls: { cert: ['pem', 7] } }, 'rest test option tls.cert must be PEM text, a Buffer or a list of them, got ["pem",7]')
    refused({ tls: { passphrase: 5 } }, 'rest test option tls.passphrase must be a string, got 5')
    refused({ tls: { rejectUnauthorized: 'no' } }, 'rest test option tls.rejectUnauthorized must be true or false, got "no"')
    refused({ tls: { servername: '' } }, 'rest test option tls.servername must be a non-empty string, got ""')
  })
})

describe('basicAuthSchema', () => {
  test('a username and a password, which may be empty', () => {
    assert.deepEqual(parse({ auth: { username: 'ops', password: '' } }), { auth: { username: 'ops', password: '' } })
  })

  test('an empty username, a password that is not a string, or no password is refused', () => {
    refused({ auth: { username: '', password: 'pw' } }, 'rest test option auth.username must be a non-empty string, got ""')
    refused({ auth: { username: 'ops', password: 5 } }, 'rest test option auth.password must be a string, got 5')
    assert.throws(() => parse({ auth: { username: 'ops' } }), /auth\.password/)
  })

  test('auth that is not an object is refused with the shape it must have; an unknown field is named', () => {
    refused({ auth: 'ops:pw' }, 'rest test option auth must be { username, password }, got "ops:pw"')
    refused({ auth: { username: 'ops', password: 'pw', realm: 'x' } }, 'rest test option auth.realm is not known (known: username, password)')
  })
})

describe('headersSchema and httpUrlSchema', () => {
  test('headers are an object of strings', () => {
    assert.deepEqual(parse({ headers: { 'x-team': 'data' } }), { headers: { 'x-team': 'data' } })
    refused({ headers: { 'x-retries': 3 } }, 'rest test option headers must be an object of string header values, got {"x-retries":3}')
    refused({ headers: { 'x-team': 'data', 'x-retries': 3 } }, 'rest test option headers must be an object of string header values, got {"x-team":"data","x-retries":3}')
    refused({ headers: null }, 'rest test option headers must be an object of string header values, got null')
  })

  test('URLs are http or https', () => {
    assert.deepEqual(parse({ urls: ['http://w:8083', 'https://w:8443/prefix'] }), { urls: ['http://w:8083', 'https://w:8443/prefix'] })
    refused({ url: 'ftp://w:21' }, 'rest test option url must be an http:// or https:// URL, got "ftp://w:21"')
    refused({ url: 'not a url' }, 'rest test option url must be an http:// or https:// URL, got "not a url"')
    refused({ url: 8083 }, 'rest test option url must be an http:// or https:// URL, got 8083')
  })
})

describe('isCredentialHeader', () => {
  test('names that carry credentials, in any case; the others are not', () => {
    for (const name of ['Authorization', 'x-api-key', 'X-Auth-Token', 'cookie', 'x-session-id', 'x-client-secret', 'proxy-authorization']) assert.equal(isCredentialHeader(name), true, name)
    for (const name of ['user-agent', 'accept', 'x-request-id', 'content-type']) assert.equal(isCredentialHeader(name), false, name)
  })
})
