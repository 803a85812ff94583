import { test } from 'node:test'
import assert from 'node:assert/strict'
import { plainInitialResponse, SaslAuthenticationError, ScramClient } from '../../src/network/sasl/scram.ts'

test('RFC 7677 test vector (SCRAM-SHA-256)', () => {
  const client = new ScramClient({ mechanism: 'SCRAM-SHA-256', username: 'user', password: 'pencil', nonce: 'rOprNGfwEbeRWgbNEkqO' })
  assert.equal(client.clientFirst(), 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO')
  const final = client.clientFinal('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096')
  assert.equal(final, 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=')
  client.verifyServerFinal('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')
})

test('RFC 5802 test vector (the SCRAM algorithm with SHA-1)', () => {
  const client = new ScramClient({ mechanism: 'SCRAM-SHA-1', username: 'user', password: 'pencil', nonce: 'fyko+d2lbbFgONRv9qkxdawL' })
  const final = client.clientFinal('r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096')
  assert.equal(final, 'c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=')
  client.verifyServerFinal('v=rmF9pqV8S7suAoZWja4dJRkFsKQ=')
})

test('a wrong server signature, a server error or a foreign nonce is refused', () => {
  const client = new ScramClient({ mechanism: 'SCRAM-SHA-512', username: 'u,=x', password: 'p', nonce: 'abc' })
  assert.equal(client.clientFirst(), 'n,,n=u=2C=3Dx,r=abc')
  assert.throws(() => client.clientFinal('r=zzz,s=c2FsdA==,i=4096'), SaslAuthenticationError)
  assert.throws(() => client.clientFinal('r=abcdef,s=c2FsdA==,i=0'), /valid salt or iteration count/)
  client.clientFinal('r=abcdef,s=c2FsdA==,i=16')
  assert.throws(() => client.verifyServerFinal('v=AAAA'), /server signature does not match/)
  assert.throws(() => client.verifyServerFinal('e=invalid-proof'), /authentication failed: invalid-proof/)
  assert.throws(() => client.verifyServerFinal('garbage'), /malformed SCRAM server message/)
})

test('PLAIN initial response', () => {
  assert.deepEqual(plainInitialResponse('alice', 's3cret'), Buffer.from('\0alice\0s3cret'))
})
