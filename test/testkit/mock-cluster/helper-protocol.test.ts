/**
 * The helper's JSON-line protocol, driven directly: every line gets exactly one reply, bad input of
 * any kind gets an error naming what was wrong, and the helper keeps serving afterwards. This is
 * also where the helper's own JSON parser is tested, including with generated input.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import fc from 'fast-check'
import { locateBinary } from '../../../src/testkit/mock-cluster/binary.ts'

type Reply = Record<string, unknown> & { id: unknown, ok: boolean, error?: string }

/** The helper with a queue of its stdout lines. */
class RawHelper {
  readonly child: ChildProcessWithoutNullStreams
  readonly #lines: string[] = []
  readonly #waiters: Array<(line: string) => void> = []

  constructor (args: string[] = ['--brokers', '2']) {
    this.child = spawn(locateBinary(), args)
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const waiter = this.#waiters.shift()
      if (waiter !== undefined) waiter(line)
      else this.#lines.push(line)
    })
  }

  async line (): Promise<string> {
    const queued = this.#lines.shift()
    if (queued !== undefined) return queued
    return await new Promise((resolve) => this.#waiters.push(resolve))
  }

  async json (): Promise<Reply> {
    return JSON.parse(await this.line()) as Reply
  }

  async send (raw: string): Promise<Reply> {
    this.child.stdin.write(raw + '\n')
    return await this.json()
  }

  async request (body: Record<string, unknown>): Promise<Reply> {
    return await this.send(JSON.stringify(body))
  }

  async close (): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode
    const exit = once(this.child, 'exit')
    this.child.stdin.end()
    const [code] = await exit as [number | null]
    return code
  }
}

describe('mock-cluster helper protocol', () => {
  let helper: RawHelper
  let ready: Reply & { bootstrap: string, brokers: Array<{ id: number, host: string, port: number, up: boolean }>, pid: number }

  before(async () => {
    helper = new RawHelper()
    ready = await helper.json() as typeof ready
  })
  after(async () => { await helper.close() })

  test('the ready line names every broker and the bootstrap list', () => {
    assert.equal(ready.event, 'ready')
    assert.equal(ready.pid, helper.child.pid)
    assert.deepEqual(ready.brokers.map((b) => [b.id, b.host, b.up]), [[1, '127.0.0.1', true], [2, '127.0.0.1', true]])
    assert.equal(ready.bootstrap, ready.brokers.map((b) => `${b.host}:${b.port}`).join(','))
    assert.match(String(ready.librdkafka), /^2\.15\./)
  })

  test('ids come back as sent, numbers and strings alike', async () => {
    assert.deepEqual(await helper.request({ id: 7, op: 'ping' }), { id: 7, ok: true })
    assert.deepEqual(await helper.request({ id: 'req-é"\\\n', op: 'ping' }), { id: 'req-é"\\\n', ok: true })
    assert.deepEqual(await helper.request({ id: -9007199254740991, op: 'ping' }), { id: -9007199254740991, ok: true })
  })

  test('malformed JSON gets an error with the column, and the helper keeps serving', async () => {
    const cases: Array<[string, RegExp]> = [
      ['not json', /column 1: a request must be a JSON object/],
      ['{"id":1,"op":"ping"', /column 20: ',' or '}' expected/],
      ['{"id":1,,"op":"ping"}', /column 9: member name expected/],
      ['{"id":01,"op":"ping"}', /column 8: ',' or '}' expected/],
      ['{"id":1.,"op":"ping"}', /digit expected after decimal point/],
      ['{"id":1e,"op":"ping"}', /digit expected in exponent/],
      ['{"id":1,"op":"pi\\qng"}', /bad escape in string/],
      ['{"id":1,"op":"\\ud800"}', /high surrogate without a low surrogate/],
      ['{"id":1,"op":"\\udc00"}', /lone low surrogate/],
      ['{"id":1,"op":"a\\u0000b"}', /\\u0000 is not allowed/],
      ['{"id":1,"op":"ping"} x', /unexpected text after the object/],
      ['{"id":1,"op":"ping","id":2}', /duplicate member name/],
      ['{"id":1,"op":"ping","x":[[[[1]]]]}', /nested too deeply/],
      ['{"id":1,"op":tru}', /unexpected character/],
      ['{"id":1,"op":"\t"}', /control character in string/],
    ]
    for (const [line, expected] of cases) {
      const reply = await helper.send(line)
      assert.equal(reply.ok, false, line)
      assert.equal(reply.id, null, line)
      assert.match(String(reply.error), /^malformed JSON at column \d+: /, line)
      assert.match(String(reply.error), expected, line)
    }
    assert.deepEqual(await helper.request({ id: 1, op: 'ping' }), { id: 1, ok: true })
  })

  test('escapes decode to the same text JSON.stringify encoded', async () => {
    assert.equal((await helper.request({ id: 1, op: 'createTopic', topic: 'esc', partitions: 1, replicationFactor: 1 })).ok, true)
    const reply = await helper.send('{"id":2,"op":"deleteTopic","topic":"\\u0065\\u0073c"}')
    assert.deepEqual(reply, { id: 2, ok: true })
    assert.deepEqual(await helper.send('{"id":"\\ud83d\\ude00","op":"ping"}'), { id: '😀', ok: true })
  })

  test('a missing or invalid id, a missing op and an unknown op are rejected by name', async () => {
    assert.match(String((await helper.request({ op: 'ping' })).error), /field "id" must be an integer/)
    assert.match(String((await helper.request({ id: 1.5, op: 'ping' })).error), /field "id" must be an integer/)
    assert.match(String((await helper.request({ id: { a: 1 }, op: 'ping' })).error), /field "id"/)
    assert.match(String((await helper.request({ id: 'x'.repeat(129), op: 'ping' })).error), /at most 128 characters/)
    assert.deepEqual(await helper.request({ id: 3 }), { id: 3, ok: false, error: 'request: missing field "op"' })
    const unknown = await helper.request({ id: 4, op: 'explode' })
    assert.equal(unknown.id, 4)
    assert.match(String(unknown.error), /unknown op "explode" \(known: ping, brokers, createTopic, .*getRequests, clearRequests\)/)
  })

  test('bad fields are named with the value that was refused', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ op: 'createTopic', topic: 't', partitions: 0, replicationFactor: 1 }, 'createTopic: field "partitions" must be an integer from 1 to 10000, got 0'],
      [{ op: 'createTopic', topic: 't', partitions: '3', replicationFactor: 1 }, 'createTopic: field "partitions" must be an integer, got a string'],
      [{ op: 'createTopic', topic: 't', partitions: 1.5, replicationFactor: 1 }, 'createTopic: field "partitions" must be an integer from 1 to 10000, got 1.5'],
      [{ op: 'createTopic', partitions: 1, replicationFactor: 1 }, 'createTopic: missing field "topic"'],
      [{ op: 'createTopic', topic: 'a/b', partitions: 1, replicationFactor: 1 }, 'createTopic: field "topic" has an invalid character \'/\' at position 1 (allowed: letters, digits, \'.\', \'_\', \'-\')'],
      [{ op: 'createTopic', topic: 'x'.repeat(250), partitions: 1, replicationFactor: 1 }, 'createTopic: field "topic" must be 1 to 249 characters long, got 250'],
      [{ op: 'createTopic', topic: 't', partitions: 1, replicationFactor: 1, color: 'red' }, 'createTopic: unknown field "color" (createTopic takes: topic partitions replicationFactor)'],
      [{ op: 'setPartitionLeader', topic: 't', partition: -1, broker: 1 }, 'setPartitionLeader: field "partition" must be an integer from 0 to 9999, got -1'],
      [{ op: 'brokerDown', broker: 3 }, 'brokerDown: field "broker": broker 3 does not exist'],
      [{ op: 'brokerDown', broker: -2 }, 'brokerDown: field "broker" must be an integer from -1 to 2147483647, got -2'],
      [{ op: 'addBroker', broker: -1 }, 'addBroker: field "broker" must be an integer from 0 to 2147483647, got -1'],
      [{ op: 'pushRequestErrors', apiKey: 0, errors: 5 }, 'pushRequestErrors: field "errors" must be an array, got a number'],
      [{ op: 'pushRequestErrors', apiKey: 0, errors: [] }, 'pushRequestErrors: field "errors" must hold 1 to 1000 entries, got 0'],
      [{ op: 'pushRequestErrors', apiKey: -1, errors: [1] }, 'pushRequestErrors: field "apiKey" must be an integer from 0 to 32767, got -1'],
      [{ op: 'pushRequestErrors', apiKey: 0, errors: [1, 'x'] }, 'pushRequestErrors: field "errors[1]" must be an error code or {code, rttMs}, got a string'],
      [{ op: 'pushRequestErrors', apiKey: 0, errors: [-150] }, 'pushRequestErrors: field "errors[0]": -150 is one of librdkafka\'s internal codes; only -195 (__TRANSPORT, drop the connection) is meaningful to the mock'],
      [{ op: 'pushBrokerRequestErrors', broker: 1, apiKey: 0, errors: [{ code: 1, rttMs: -5 }] }, 'pushBrokerRequestErrors: field "errors[0].rttMs" must be an integer from 0 to 3600000, got -5'],
      [{ op: 'pushBrokerRequestErrors', broker: 1, apiKey: 0, errors: [{ rttMs: 5 }] }, 'pushBrokerRequestErrors: missing field "errors[0].code"'],
      [{ op: 'pushBrokerRequestErrors', broker: 1, apiKey: 0, errors: [{ code: 1, delay: 5 }] }, 'pushBrokerRequestErrors: field "errors[0]" has unknown member "delay" (expected code, rttMs)'],
      [{ op: 'setTopicError', topic: 't', code: -195 }, 'setTopicError: field "code": -195 (__TRANSPORT) is a request error, not a topic error'],
      [{ op: 'setApiVersion', apiKey: 3, min: 5, max: 2 }, 'setApiVersion: field "min" (5) must not exceed "max" (2)'],
      [{ op: 'setCoordinator', type: 'group', key: '', broker: 1 }, 'setCoordinator: field "key" must be 1 to 249 characters long, got 0'],
      [{ op: 'setBrokerRtt', broker: 1, rttMs: true }, 'setBrokerRtt: field "rttMs" must be an integer, got a boolean'],
      [{ op: 'setBrokerRack', broker: 1, rack: null }, 'setBrokerRack: field "rack" must be a string, got null'],
    ]
    let id = 100
    for (const [body, message] of cases) {
      const reply = await helper.request({ id: ++id, ...body })
      assert.deepEqual(reply, { id, ok: false, error: message })
    }
  })

  test('errors from the mock itself carry its code and name', async () => {
    const reply = await helper.request({ id: 1, op: 'setApiVersion', apiKey: 999, min: 0, max: 1 })
    assert.equal(reply.ok, false)
    assert.equal(reply.errorCode, -186)
    assert.equal(reply.errorName, '_INVALID_ARG')
    assert.match(String(reply.error), /^setApiVersion: apiKey 999 is not in the mock's API table: /)
  })

  test('a line longer than 64 KiB is refused once and the helper keeps serving', async () => {
    helper.child.stdin.write('{"id":1,"op":"ping","pad":"' + 'x'.repeat(70_000) + '"}\n')
    assert.deepEqual(await helper.json(), { id: null, ok: false, error: 'request line longer than 65536 bytes; discarded' })
    assert.deepEqual(await helper.request({ id: 2, op: 'ping' }), { id: 2, ok: true })
  })

  test('brokers lists the current brokers and whether each is up', async () => {
    assert.equal((await helper.request({ id: 1, op: 'brokerDown', broker: 2 })).ok, true)
    const reply = await helper.request({ id: 2, op: 'brokers' }) as Reply & { brokers: Array<{ id: number, up: boolean }> }
    assert.deepEqual(reply.brokers.map((b) => [b.id, b.up]), [[1, true], [2, false]])
    assert.equal((await helper.request({ id: 3, op: 'brokerUp', broker: -1 })).ok, true)
  })

  test('any line at all gets exactly one reply, in order (generated input)', async () => {
    const line = fc.oneof(
      fc.string({ unit: 'binary-ascii', maxLength: 200 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.json({ maxDepth: 3 }),
      fc.json({ maxDepth: 3 }).chain((s) => fc.nat(s.length).map((i) => s.slice(0, i)))
    )
    await fc.assert(fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 20 }), async (lines) => {
      const clean = lines.map((l) => l.replace(/[\n\r]/g, ' ')).filter((l) => l.trim() !== '')
      helper.child.stdin.write(clean.map((l) => l + '\n').join('') + '{"id":"end","op":"ping"}\n')
      for (const line of clean) {
        const reply = await helper.json()
        assert.equal(typeof reply.ok, 'boolean', line)
        if (!reply.ok) assert.equal(typeof reply.error, 'string')
      }
      assert.deepEqual(await helper.json(), { id: 'end', ok: true })
    }), { numRuns: 80 })
  })

  test('any string id round-trips through the parser and the reply writer (generated input)', async () => {
    const id = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !s.includes('\u0000') && Buffer.byteLength(s) <= 128)
    await fc.assert(fc.asyncProperty(id, async (value) => {
      assert.deepEqual(await helper.request({ id: value, op: 'ping' }), { id: value, ok: true })
    }), { numRuns: 150 })
  })

  test('any request object with unexpected members is refused, never crashes (generated input)', async () => {
    const extra = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== 'id' && k !== 'op'), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 4 })
    await fc.assert(fc.asyncProperty(extra, async (members) => {
      const reply = await helper.request({ ...members, id: 5, op: 'ping' })
      assert.equal(reply.ok, false)
      assert.match(String(reply.error), /unknown field|malformed JSON|nested too deeply/)
    }), { numRuns: 80 })
  })
})

describe('mock-cluster helper lifetime', () => {
  test('exits with code 0 when stdin closes', async () => {
    const helper = new RawHelper(['--brokers', '1'])
    await helper.json()
    assert.equal(await helper.close(), 0)
  })

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`exits with code 0 on ${signal}`, async () => {
      const helper = new RawHelper(['--brokers', '1'])
      await helper.json()
      const exit = once(helper.child, 'exit')
      helper.child.kill(signal)
      assert.deepEqual(await exit, [0, null])
    })
  }

  test('rejects a bad --brokers value with exit code 2 and a message', async () => {
    const child = spawn(locateBinary(), ['--brokers', '65'])
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    const [code] = await once(child, 'exit') as [number]
    assert.equal(code, 2)
    assert.match(stderr, /--brokers must be an integer from 1 to 64, got "65"/)
  })
})
