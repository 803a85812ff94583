/**
 * The graph API through the Tester (no Kafka): a word count with a table, a loopback and an
 * output checked against counts computed by plain JS; joins, lookups, deferrals; visitors; every
 * graph refusal and every processing failure named.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { defineGroup, input, join, lookup, loop, output, persist, visitor, jsonCodec, stringCodec, bytesCodec, int64Codec, Tester, GraphError, ProcessingError, type Context } from '../../src/processor/index.ts'

const sentences = [
  'the quick brown fox', 'jumps over the lazy dog', 'the dog sleeps',
  'a fox is quick', 'the end',
]

function expectedCounts (lines: string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const line of lines) for (const word of line.split(' ')) counts.set(word, (counts.get(word) ?? 0) + 1)
  return counts
}

export function wordCountGraph (group = 'wordcount', inputTopic = 'sentences', outputTopic = 'counts') {
  return defineGroup(group,
    input(inputTopic, stringCodec, (ctx, line: string) => {
      for (const word of line.split(' ')) ctx.loopback(word, 1)
    }),
    loop(jsonCodec<number>(), (ctx: Context<number>, n: number) => {
      const count = (ctx.value() ?? 0) + n
      ctx.setValue(count)
      ctx.emit(outputTopic, ctx.key, count)
    }),
    persist(jsonCodec<number>()),
    output(outputTopic, jsonCodec<number>())
  )
}

test('word count: table and output equal counts computed from the input; loopbacks are processed in order', async () => {
  const tester = new Tester(wordCountGraph(), { partitions: 4 })
  for (const [i, line] of sentences.entries()) await tester.consume('sentences', `line-${i}`, line)
  const expected = expectedCounts(sentences)
  assert.deepEqual(new Map(tester.tableKeys().sort().map((k) => [k, tester.tableValue<number>(k)])), new Map([...expected].sort()))
  const out = tester.output<number>('counts')
  assert.equal(out.length, sentences.join(' ').split(' ').length)
  // Per word, the emitted counts are 1, 2, …, n: each loopback was applied once, in order.
  for (const [word, n] of expected) {
    assert.deepEqual(out.filter((r) => r.key === word).map((r) => r.value), Array.from({ length: n }, (_, i) => i + 1), word)
  }
})

test('joins, lookups, delete and async callbacks; deferrals are counted until called', async () => {
  const held: Array<() => void> = []
  const graph = defineGroup('enrich',
    input('orders', jsonCodec<{ amount: number }>(), async (ctx: Context<number>, order) => {
      await new Promise((resolve) => setImmediate(resolve))
      const user = ctx.join<{ name: string }>('users')
      const rate = ctx.lookup<number>('rates', 'EUR') ?? 1
      if (order.amount < 0) { ctx.delete(); return }
      ctx.setValue((ctx.value() ?? 0) + order.amount * rate)
      ctx.emit('enriched', ctx.key, `${user?.name ?? 'unknown'}:${order.amount * rate}`)
      held.push(ctx.defer())
    }),
    persist(jsonCodec<number>()),
    join('users', jsonCodec<{ name: string }>()),
    lookup('rates', jsonCodec<number>()),
    output('enriched', stringCodec)
  )
  const tester = new Tester(graph)
  tester.setJoinValue('users', 'u1', { name: 'Ada' })
  tester.setLookupValue('rates', 'EUR', 2)
  await tester.consume('orders', 'u1', { amount: 5 })
  await tester.consume('orders', 'u2', { amount: 7 })
  assert.equal(tester.tableValue('u1'), 10)
  assert.equal(tester.tableValue('u2'), 14)
  assert.deepEqual(tester.output('enriched').map((r) => [r.key, r.value]), [['u1', 'Ada:10'], ['u2', 'unknown:14']])
  assert.equal(tester.deferred, 2)
  held.forEach((done) => { done(); done() })
  assert.equal(tester.deferred, 0)
  await tester.consume('orders', 'u1', { amount: -1 })
  assert.equal(tester.tableValue('u1'), undefined)
})

test('ctx exposes the record: topic, partition by the hasher, offsets counting per topic, headers, timestamp', async () => {
  const seen: Array<Record<string, unknown>> = []
  const graph = defineGroup('meta', input('in', bytesCodec, (ctx, value: Buffer) => {
    seen.push({ topic: ctx.topic, partition: ctx.partition, offset: ctx.offset, key: ctx.key, ts: ctx.timestamp, h: ctx.headers.length, v: value.toString('hex') })
  }), { hasher: 'fnv32a' })
  const tester = new Tester(graph, { partitions: 10 })
  await tester.consume('in', 'foobar', Buffer.from([1, 2]), { timestamp: 42, headers: [{ key: 'h', value: Buffer.from('x') }] })
  await tester.consume('in', null, Buffer.from([3]), { timestamp: 43 })
  // FNV-1a 32 of "foobar" is 0xbf9cf968 = -1080231576 as int32; -1080231576 % 10 = -6 → partition 6 (Sarama).
  assert.deepEqual(seen, [
    { topic: 'in', partition: 6, offset: 0n, key: 'foobar', ts: 42, h: 1, v: '0102' },
    { topic: 'in', partition: 0, offset: 1n, key: null, ts: 43, h: 0, v: '03' },
  ])
})

test('processing failures stop with the group, topic, partition, offset and cause named', async () => {
  const graph = defineGroup('fails',
    input('json', jsonCodec(), () => {}),
    input('throws', stringCodec, (_ctx, v: string) => { if (v === 'bad') throw new Error('boom') }),
    input('fails', stringCodec, (ctx) => ctx.fail(new Error('refused'))),
    input('emits', stringCodec, (ctx) => { ctx.emit('nowhere', 'k', 'v') }),
    input('tables', stringCodec, (ctx) => { ctx.setValue(1) })
  )
  const tester = new Tester(graph)
  await assert.rejects(tester.consume('json', 'k', undefined as never), /json codec/)
  await tester.consume('throws', 'k', 'ok')
  await assert.rejects(tester.consume('throws', 'k', 'bad'), (e: unknown) => e instanceof ProcessingError && e.offset === 1n && e.topic === 'throws' &&
    e.message === 'processor fails: the callback threw at throws-0 offset 1: boom')
  await assert.rejects(tester.consume('fails', 'k', 'x'), /processor fails: ctx\.fail at fails-0 offset 0: refused/)
  await assert.rejects(tester.consume('emits', 'k', 'x'), /nowhere is not an output of group fails \(declared: none\)/)
  await assert.rejects(tester.consume('tables', 'k', 'x'), /group fails has no table/)
  await assert.rejects(tester.consume('unknown', 'k', 'x'), /unknown is not an input of group fails/)

  const badJson = defineGroup('decode', input('in', jsonCodec(), () => {}))
  const t2 = new Tester(badJson)
  // A producer wrote bytes the codec cannot read: the decode failure is named.
  const raw = { encode: (v: string) => Buffer.from(v), decode: () => { throw new Error('not JSON') } }
  await assert.rejects(new Tester(defineGroup('decode2', input('in', raw, () => {}))).consume('in', 'k', '{'), /the codec could not decode the value at in-0 offset 0: not JSON/)
  await t2.consume('in', 'k', { ok: true })

  const keyless = defineGroup('keyless', input('in', stringCodec, (ctx) => { ctx.value() }), persist(stringCodec))
  await assert.rejects(new Tester(keyless).consume('in', null, 'x'), /ctx\.value: the record at in-0 offset 0 has no key/)
})

test('graph refusals name the group and the problem', () => {
  const cb = (): void => {}
  const cases: Array<[() => unknown, RegExp]> = [
    [() => defineGroup('g'), /at least one input stream is needed/],
    [() => defineGroup('g', loop(stringCodec, cb)), /at least one input stream is needed/],
    [() => defineGroup('g', input('a', stringCodec, cb), persist(stringCodec), persist(stringCodec)), /edge 2: a group has at most one table/],
    [() => defineGroup('g', input('a', stringCodec, cb), loop(stringCodec, cb), loop(stringCodec, cb)), /edge 2: a group has at most one loop/],
    [() => defineGroup('g', input('a', stringCodec, cb), output('a', stringCodec)), /topic a is already used as input/],
    [() => defineGroup('g', input('g-table', stringCodec, cb), persist(stringCodec)), /topic g-table is already used as input/],
    [() => defineGroup('g', input('a', { encode: cb } as never, cb)), /edge 0 \(input\): codec must have encode and decode/],
    [() => defineGroup('g', input('a', stringCodec, 'x' as never)), /edge 0 \(input\): callback must be a function/],
    [() => defineGroup('bad name', input('a', stringCodec, cb)), /"bad name" is not a valid group name/],
    [() => defineGroup('g', input('a b', stringCodec, cb)), /"a b" is not a valid topic name/],
    [() => defineGroup('g', input('a', stringCodec, cb), { kind: 'window' } as never), /unknown edge kind "window"/],
    [() => defineGroup('g', input('a', stringCodec, cb), { hasher: 'crc' as never }), /hasher must be 'murmur2' or 'fnv32a', got crc/],
  ]
  for (const [make, message] of cases) assert.throws(make, (e: unknown) => e instanceof Error && message.test(e.message), String(message))
  assert.throws(() => defineGroup('g', persist(stringCodec), persist(stringCodec)), GraphError)
})

test('graph: co-partitioned topics are the inputs, the loop, the table and the joins (not lookups or outputs)', () => {
  const cb = (): void => {}
  const g = defineGroup('g', input('a', stringCodec, cb), input('b', stringCodec, cb), loop(stringCodec, cb), persist(stringCodec), join('j', stringCodec), lookup('l', stringCodec), output('o', stringCodec))
  assert.deepEqual(g.copartitioned, ['a', 'b', 'g-loop', 'g-table', 'j'])
  assert.equal(g.hasher, 'murmur2')
})

test('codecs: round trips and refusals', () => {
  assert.equal(stringCodec.decode(stringCodec.encode('héllo')), 'héllo')
  assert.deepEqual(jsonCodec().decode(jsonCodec().encode({ a: [1, 'x'] })), { a: [1, 'x'] })
  assert.throws(() => jsonCodec().encode(undefined), /json codec: undefined has no JSON form/)
  assert.throws(() => stringCodec.encode(5 as never), /string codec: expected a string, got number/)
  assert.throws(() => bytesCodec.encode('x' as never), /bytes codec: expected a Buffer/)
  assert.equal(int64Codec.encode(-2n).toString('hex'), 'fffffffffffffffe')
  assert.equal(int64Codec.decode(Buffer.from('0000000000000100', 'hex')), 256n)
  assert.throws(() => int64Codec.decode(Buffer.alloc(3)), /expected 8 bytes, got 3/)
})

test('a visitor runs on every table key with the meta given, writes and emits as a callback does; its refusals', async () => {
  const graph = defineGroup('visited',
    input('words', stringCodec, (ctx: Context<number>) => { ctx.setValue((ctx.value() ?? 0) + 1) }),
    persist(jsonCodec<number>()),
    output('resets', jsonCodec<{ was: number, now: number }>()),
    visitor('reset', (ctx: Context<number>, to: number) => {
      ctx.emit('resets', ctx.key, { was: ctx.value() as number, now: to })
      ctx.setValue(to)
    })
  )
  const tester = new Tester(graph, { partitions: 3 })
  for (const word of ['a', 'b', 'a', 'c', 'a']) await tester.consume('words', word, word)
  assert.equal(await tester.visit('reset', 10), 3)
  assert.deepEqual(tester.tableKeys().sort().map((k) => [k, tester.tableValue(k)]), [['a', 10], ['b', 10], ['c', 10]])
  assert.deepEqual(tester.output('resets').map((r) => [r.key, r.value]).sort(), [['a', { was: 3, now: 10 }], ['b', { was: 1, now: 10 }], ['c', { was: 1, now: 10 }]])
  await tester.consume('words', 'b', 'b')
  assert.equal(tester.tableValue('b'), 11, 'records after the visit see its writes')
  await assert.rejects(tester.visit('nope'), /Tester.visit: group visited has no visitor nope/)

  const noop = (): void => {}
  assert.throws(() => defineGroup('v1', input('w', stringCodec, noop), visitor('x', noop)), (e: unknown) => e instanceof GraphError && /visitors \(x\) visit the keys of the group table: add persist\(codec\)/.test(e.message))
  assert.throws(() => defineGroup('v2', input('w', stringCodec, noop), persist(stringCodec), visitor('x', noop), visitor('x', noop)), /edge 3: visitor x is defined twice/)
  assert.throws(() => defineGroup('v3', input('w', stringCodec, noop), persist(stringCodec), visitor('', noop)), /\(visitor\): name must be a non-empty string/)
  const failing = defineGroup('v4', input('w', stringCodec, (ctx: Context<number>) => { ctx.setValue(1) }), persist(jsonCodec<number>()), visitor('boom', () => { throw new Error('no') }))
  const t2 = new Tester(failing)
  await t2.consume('w', 'k', 'x')
  await assert.rejects(t2.visit('boom'), (e: unknown) => e instanceof ProcessingError && e.message === 'processor v4: visitor boom threw at v4-table-0 offset -1: no')
})
