/**
 * `steadfast consume`, run as a user runs it (bin/steadfast), against the mock cluster. What it
 * prints is compared byte for byte with what kcat (librdkafka, an independent client) prints for
 * the same format and offsets; group runs are checked for every record printed once and for
 * committed offsets at the end of what was printed.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Producer } from '../../../src/producer/producer.ts'
import { startGroupMock } from '../../consumer/helpers.ts'
import { MockCluster } from '../../../src/testkit/mock-cluster/mock-cluster.ts'
import { exitOf, nextLine, runForeground } from '../../support/foreground-cli.ts'
import { silent } from '../../producer/helpers.ts'
import { assertCommittedAtEnd, binary, consume as consumeOn, FORMAT, kcat as kcatOn, lines, linesByPartition, PARTITIONS, produceMixed as produceMixedOn } from './consume-helpers.ts'

/**
 * The mock holds a group's next join for about the session timeout after a member left (seen
 * with LeaveGroup v2), so group runs that follow each other use a short one.
 */
const SESSION = ['--session-timeout', '6s']

let mock: MockCluster
before(async () => {
  mock = await startGroupMock()
})
after(async () => { await mock.stop() })

const kcat = async (args: string[]): Promise<Buffer> => await kcatOn(mock.bootstrap, args)
const consume = async (args: string[]): Promise<{ code: number, stdout: Buffer, stderr: string }> => await consumeOn(mock.bootstrap, args)
/** Returns the first record's timestamp (record i has that plus i seconds). */
async function produceMixed (topic: string): Promise<number> {
  await mock.createTopic({ name: topic, partitions: PARTITIONS.length })
  return await produceMixedOn(mock.bootstrap, topic)
}

describe('steadfast consume (mock cluster)', { timeout: 240_000 }, () => {
  test('prints each partition byte for byte as kcat prints it (binary values, NULLs, headers, sizes, timestamps)', async () => {
    await produceMixed('c-bytes')
    for (const p of PARTITIONS) {
      const expected = await kcat(['-t', 'c-bytes', '-p', String(p), '-o', 'beginning', '-e', '-f', FORMAT])
      const got = await consume(['--topic', 'c-bytes', '--partition', String(p), '--exit', '--format', FORMAT])
      assert.equal(got.code, 0, got.stderr)
      assert.equal(expected.toString('latin1').split('\n').length - 1, 30, `kcat read partition ${p} whole`)
      assert.ok(got.stdout.equals(expected), `partition ${p}: steadfast printed\n${got.stdout.toString('latin1')}\nkcat printed\n${expected.toString('latin1')}`)
    }
    // All partitions at once: each partition's records once, in kcat's order.
    const all = await consume(['--topic', 'c-bytes', '--exit', '--format', FORMAT])
    assert.equal(all.code, 0, all.stderr)
    assert.deepEqual(linesByPartition(all.stdout), linesByPartition(await kcat(['-t', 'c-bytes', '-o', 'beginning', '-e', '-f', FORMAT])))
  })

  test('--offset -<n>, <n>, @<timestamp> and end start where kcat starts', async () => {
    const base = await produceMixed('c-offsets')
    // Record 45's timestamp: the middle of each partition.
    const at = base + 45_000
    const cases: Array<[string, string]> = [['-4', '-4'], ['5', '5'], [`@${at}`, `s@${at}`], ['end', 'end'], ['-100', '-100']]
    for (const [ours, theirs] of cases) {
      const expected = await kcat(['-t', 'c-offsets', '-o', theirs, '-e', '-f', FORMAT])
      const got = await consume(['--topic', 'c-offsets', '--offset', ours, '--exit', '--format', FORMAT])
      assert.equal(got.code, 0, got.stderr)
      assert.deepEqual(linesByPartition(got.stdout), linesByPartition(expected), `--offset ${ours}`)
    }
  })

  test('--output json with the json, hex and base64 deserializers', async () => {
    await mock.createTopic({ name: 'c-json', partitions: 1 })
    const producer = new Producer({ bootstrap: mock.bootstrap, logger: silent, lingerMs: 0 })
    const docs = [{ n: 1, s: 'é' }, [1, 2, 3], 'text', null, 4.5]
    for (const [i, doc] of docs.entries()) await producer.send({ topic: 'c-json', partition: 0, key: binary(i), value: JSON.stringify(doc), headers: [{ key: 'h', value: 'x' }] })
    await producer.send({ topic: 'c-json', partition: 0, key: null, value: null })
    await producer.close()
    const expected = (await kcat(['-t', 'c-json', '-o', 'beginning', '-e', '-f', '%o\\t%K\\t%T\\n'])).toString().trim().split('\n').map((l) => l.split('\t'))
    for (const keys of ['hex', 'base64'] as const) {
      const got = await consume(['--topic', 'c-json', '--exit', '--output', 'json', '--value-deserializer', 'json', '--key-deserializer', keys])
      assert.equal(got.code, 0, got.stderr)
      const objects = got.stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
      assert.deepEqual(objects.map((o) => [String(o.offset), o.key === null ? '-1' : String(Buffer.from(o.key as string, keys).length), String(o.timestamp)]), expected)
      assert.deepEqual(objects.map((o) => o.value), [...docs, null])
      assert.deepEqual(objects.map((o) => o.key), [...docs.map((_, i) => binary(i).toString(keys)), null])
      assert.deepEqual(objects[0]?.headers, [{ key: 'h', value: 'x' }])
    }
    const notJson = await consume(['--topic', 'c-json', '--exit', '--output', 'json', '--key-deserializer', 'json'])
    assert.equal(notJson.code, 1)
    assert.match(notJson.stderr, /--key-deserializer json: the key of c-json-0 at offset 0 is not JSON/)
  })

  test('--count stops after n records; --group commits what was printed, and the next run prints the rest once', async () => {
    await produceMixed('c-group')
    const counted = await consume(['--topic', 'c-group', '--count', '7', '--format', '%p %o\\n'])
    assert.equal(counted.code, 0, counted.stderr)
    assert.equal(counted.stdout.toString().split('\n').length - 1, 7)

    const first = await consume(['--topic', 'c-group', '--group', 'g-count', ...SESSION, '--count', '40', '--format', '%p %o\\n'])
    assert.equal(first.code, 0, first.stderr)
    const rest = await consume(['--topic', 'c-group', '--group', 'g-count', ...SESSION, '--exit', '--format', '%p %o\\n'])
    assert.equal(rest.code, 0, rest.stderr)
    const printed = [...lines(first.stdout), ...lines(rest.stdout)]
    assert.equal(lines(first.stdout).length, 40)
    const expected = lines(await kcat(['-t', 'c-group', '-o', 'beginning', '-e', '-f', '%p %o\\n']))
    assert.equal(new Set(printed).size, printed.length, 'no record printed twice')
    assert.deepEqual([...printed].sort(), [...expected].sort(), 'every record printed')
    await assertCommittedAtEnd(mock.bootstrap, 'g-count', 'c-group', expected)
  })

  test('Ctrl-C (SIGINT) commits every printed record and exits 0', async (t) => {
    await produceMixed('c-sigint')
    const expected = (await kcat(['-t', 'c-sigint', '-o', 'beginning', '-e', '-f', '%p %o\\n'])).toString().trim().split('\n')
    const cli = runForeground(t, ['consume', '--bootstrap', mock.bootstrap, '--topic', 'c-sigint', '--group', 'g-sigint', ...SESSION, '--format', '%p %o\\n'])
    const printed: string[] = []
    while (printed.length < expected.length) printed.push(await nextLine(cli))
    cli.child.kill('SIGINT')
    assert.deepEqual(await exitOf(cli.child), [0, null], cli.stderr())
    assert.deepEqual([...printed].sort(), [...expected].sort())
    await assertCommittedAtEnd(mock.bootstrap, 'g-sigint', 'c-sigint', expected)
    const again = await consume(['--topic', 'c-sigint', '--group', 'g-sigint', ...SESSION, '--exit'])
    assert.deepEqual([again.code, again.stdout.length], [0, 0], 'nothing left to read')
  })

  test('usage errors exit 2 and name the option', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--topic', 't', '--offset', 'soon'], /--offset: "soon" is not/],
      [['--topic', 't', '--group', 'g', '--partition', '1'], /--partition reads partitions without a group/],
      [['--topic', 't', '--group', 'g', '--offset', '-5'], /--offset -5 needs manual assignment/],
      [['--topic', 't', '--key-deserializer', 'avro'], /--key-deserializer: "avro" is not a deserializer/],
      [['--topic', 't', '--format', '%q'], /--format: "%q" at position 1 is not a token/],
      [['--topic', 't', '--count', '0'], /--count: "0" is not an integer >= 1/],
      [[], /required option '-t, --topic <topic>' not specified/],
    ]
    for (const [args, message] of cases) {
      const got = await consume(args)
      assert.equal(got.code, 2, `${args.join(' ')}: ${got.stderr}`)
      assert.match(got.stderr, message)
    }
  })
})
