/** SASLprep (RFC 4013): its section 3 examples, and a SCRAM exchange that uses it. */
import assert from 'node:assert/strict'
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto'
import { describe, test } from 'node:test'
import { saslprep } from '../../src/network/sasl/saslprep.ts'
import { ScramClient } from '../../src/network/sasl/scram.ts'
import { InvalidArgumentError } from '../../src/resilience/errors.ts'

describe('saslprep', () => {
  test('the examples of RFC 4013 section 3', () => {
    assert.equal(saslprep('I\u00ADX', 'x'), 'IX', 'SOFT HYPHEN mapped to nothing')
    assert.equal(saslprep('user', 'x'), 'user')
    assert.equal(saslprep('USER', 'x'), 'USER', 'case is kept')
    assert.equal(saslprep('\u00AA', 'x'), 'a', 'NFKC')
    assert.equal(saslprep('\u2168', 'x'), 'IX', 'NFKC')
    assert.throws(() => saslprep('\u0007', 'x'), /x has character 1 \(U\+0007\), which SASLprep \(RFC 4013\) prohibits/)
    assert.throws(() => saslprep('\u0627\u0031', 'x'), /right-to-left/, 'bidi rule: must end with a right-to-left letter')
  })

  test('non-ASCII spaces become spaces, decomposed letters are composed, right-to-left text alone passes', () => {
    assert.equal(saslprep('a\u00A0b\u3000c', 'x'), 'a b c')
    assert.equal(saslprep('pa\u0308sswo\u0308rd', 'x'), 'p\u00E4ssw\u00F6rd')
    assert.equal(saslprep('\u05D0\u05D1\u05D2', 'x'), '\u05D0\u05D1\u05D2')
  })

  test('the error names what was prepared, never the text itself', () => {
    assert.throws(() => saslprep('secret\u0000', 'SCRAM password'), (e: unknown) => e instanceof InvalidArgumentError &&
      e.message.startsWith('SCRAM password has character 7 (U+0000)') && !e.message.includes('secret'))
  })
})

describe('ScramClient applies SASLprep', () => {
  test('a decomposed password proves the same key as the composed one the server stored', () => {
    const salt = Buffer.from('salty')
    const client = new ScramClient({ mechanism: 'SCRAM-SHA-256', username: 'j\u00F6rg', password: 'pa\u0308ss', nonce: 'abc' })
    assert.equal(client.clientFirst(), 'n,,n=j\u00F6rg,r=abc')
    const serverFirst = `r=abcdef,s=${salt.toString('base64')},i=4096`
    const final = client.clientFinal(serverFirst)
    // What a server holding the composed password ("p\u00E4ss") expects as the proof.
    const salted = pbkdf2Sync('p\u00E4ss', salt, 4096, 32, 'sha256')
    const clientKey = createHmac('sha256', salted).update('Client Key').digest()
    const storedKey = createHash('sha256').update(clientKey).digest()
    const withoutProof = 'c=biws,r=abcdef'
    const signature = createHmac('sha256', storedKey).update(`n=j\u00F6rg,r=abc,${serverFirst},${withoutProof}`).digest()
    const proof = Buffer.from(clientKey.map((b, i) => b ^ (signature[i] ?? 0)))
    assert.equal(final, `${withoutProof},p=${proof.toString('base64')}`)
  })
})
