/**
 * `steadfast consume` once against real Apache Kafka (3 brokers): each partition printed byte for
 * byte as kcat prints it, and two group runs (the second after the first member left) printing
 * every record once, with the group's committed offsets at the end of what was printed.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { RealCluster } from '../../../src/testkit/index.ts'
import { assertCommittedAtEnd, consume, FORMAT, kcat, lines, PARTITIONS, produceMixed } from './consume-helpers.ts'

let cluster: RealCluster
before(async () => {
  cluster = await RealCluster.start({ brokers: 3, topics: [{ name: 'rc-bytes', partitions: 3, replicationFactor: 3 }] })
})
after(async () => { await cluster?.stop() })

describe('steadfast consume (real Kafka)', { timeout: 300_000 }, () => {
  test('bytes as kcat prints them; group runs print every record once and commit it', async () => {
    await produceMixed(cluster.bootstrap, 'rc-bytes')
    for (const p of PARTITIONS) {
      const expected = await kcat(cluster.bootstrap, ['-t', 'rc-bytes', '-p', String(p), '-o', 'beginning', '-e', '-f', FORMAT])
      const got = await consume(cluster.bootstrap, ['--topic', 'rc-bytes', '--partition', String(p), '--exit', '--format', FORMAT])
      assert.equal(got.code, 0, got.stderr)
      assert.equal(lines(expected).length, 30, `kcat read partition ${p} whole`)
      assert.ok(got.stdout.equals(expected), `partition ${p}: steadfast printed\n${got.stdout.toString('latin1')}\nkcat printed\n${expected.toString('latin1')}`)
    }
    const first = await consume(cluster.bootstrap, ['--topic', 'rc-bytes', '--group', 'rc-group', '--count', '40', '--format', '%p %o\\n'])
    const rest = await consume(cluster.bootstrap, ['--topic', 'rc-bytes', '--group', 'rc-group', '--exit', '--format', '%p %o\\n'])
    assert.deepEqual([first.code, rest.code], [0, 0], first.stderr + rest.stderr)
    const printed = [...lines(first.stdout), ...lines(rest.stdout)]
    const expected = lines(await kcat(cluster.bootstrap, ['-t', 'rc-bytes', '-o', 'beginning', '-e', '-f', '%p %o\\n']))
    // What each run met (their info logs), for a failure to show.
    const met = `first run: ${first.stderr.slice(-4000)}\nsecond run: ${rest.stderr.slice(-4000)}`
    assert.equal(expected.length, 90, `kcat read the topic whole (${expected.length} records); ${met}`)
    assert.equal(lines(first.stdout).length, 40, met)
    assert.equal(new Set(printed).size, printed.length, 'no record printed twice')
    assert.deepEqual([...printed].sort(), [...expected].sort(), `every record printed; ${met}`)
    await assertCommittedAtEnd(cluster.bootstrap, 'rc-group', 'rc-bytes', expected)
  })
})
