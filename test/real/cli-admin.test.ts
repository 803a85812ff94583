/**
 * The admin commands of issue 17 against real Kafka: topic configs and partition counts, offsets
 * list (cross-checked with kcat -Q), reset-offsets (a plan unless --execute; refused while the
 * group has members) and delete-offsets, each checked by reading the cluster back.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { describe, test } from 'node:test'
import { promisify } from 'node:util'
import { Admin } from '../../src/admin/admin.ts'
import { kcatProduce, silent } from '../producer/helpers.ts'
import { runCli } from '../support/run-cli.ts'
import { realClusterSuite, unique } from './suite.ts'

const run = promisify(execFile)

describe('admin commands on real Kafka', { timeout: 300_000 }, () => {
  const suite = realClusterSuite({ brokers: 1 })
  const cli = async (args: string[]): Promise<{ code: number, stdout: string, stderr: string }> => await runCli([...args, '-b', suite.cluster.bootstrap], { killAfterMs: 90_000 })

  test('topics describe-config, alter-config and add-partitions', async () => {
    const topic = unique('cli-configs')
    assert.equal((await cli(['topics', 'create', topic, '--partitions', '1', '--replication-factor', '1', '--config', 'cleanup.policy=compact'])).code, 0)
    const altered = await cli(['topics', 'alter-config', topic, '--set', 'retention.ms=3600000', '--delete', 'cleanup.policy'])
    assert.equal(altered.code, 0, altered.stderr)
    const described = await cli(['topics', 'describe-config', topic, '-o', 'json'])
    const entries = JSON.parse(described.stdout) as Array<{ name: string, value: string }>
    assert.equal(entries.find((e) => e.name === 'retention.ms')?.value, '3600000')
    assert.equal(entries.find((e) => e.name === 'cleanup.policy'), undefined, 'back to its default: not set on the topic, so not listed without --all')
    const all = JSON.parse((await cli(['topics', 'describe-config', topic, '--all', '-o', 'json'])).stdout) as Array<{ name: string, value: string }>
    assert.equal(all.find((e) => e.name === 'cleanup.policy')?.value, 'delete')
    assert.equal((await cli(['topics', 'add-partitions', topic, '--count', '3'])).code, 0)
    const partitions = JSON.parse((await cli(['topics', 'describe', topic, '-o', 'json'])).stdout)[0].partitions as unknown[]
    assert.equal(partitions.length, 3)
    const lower = await cli(['topics', 'add-partitions', topic, '--count', '2'])
    assert.equal(lower.code, 1)
    assert.match(lower.stderr, /INVALID_PARTITIONS/)
  })

  test('offsets list agrees with kcat -Q; reset-offsets plans, then executes; delete-offsets', async () => {
    const { cluster } = suite
    const topic = unique('cli-offsets')
    assert.equal((await cli(['topics', 'create', topic, '--partitions', '2', '--replication-factor', '1'])).code, 0)
    await kcatProduce(cluster.bootstrap, topic, ['a:1', 'b:2', 'c:3', 'd:4', 'e:5', 'f:6'])
    const latest = JSON.parse((await cli(['offsets', 'list', topic, '-o', 'json'])).stdout) as Array<{ partition: number, offset: number }>
    const { stdout: q } = await run('kcat', ['-Q', '-b', cluster.bootstrap, '-t', `${topic}:0:-1`, '-t', `${topic}:1:-1`], { timeout: 20_000 })
    const kcatEnds = [...q.matchAll(/\[(\d+)\]\s+offset (\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]).sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0))
    assert.deepEqual(latest.map((o) => [o.partition, o.offset]), kcatEnds)
    assert.equal(kcatEnds.reduce((sum, [, end]) => sum + (end ?? 0), 0), 6)

    const group = unique('cli-group')
    const admin = suite.closeAfter(new Admin({ bootstrap: cluster.bootstrap, logger: silent }))
    await admin.alterConsumerGroupOffsets(group, latest.map((o) => ({ topic, partition: o.partition, offset: o.offset })))
    const committed = async (): Promise<Array<[number, bigint]>> => ((await admin.listConsumerGroupOffsets(group, { topics: [{ topic }] })).get(group) ?? []).map((o) => [o.partition, o.offset] as [number, bigint]).sort((a, b) => a[0] - b[0])
    const before = await committed()

    const planned = await cli(['groups', 'reset-offsets', group, '--topic', topic, '--to-earliest', '-o', 'json'])
    assert.equal(planned.code, 0, planned.stderr)
    assert.deepEqual((JSON.parse(planned.stdout) as { executed: boolean, partitions: Array<{ target: number }> }).partitions.map((p) => p.target), [0, 0])
    assert.match(planned.stderr, /dry run: nothing changed/)
    assert.deepEqual(await committed(), before, 'the dry run changed nothing')

    const executed = await cli(['groups', 'reset-offsets', group, '--topic', `${topic}:1`, '--to-offset', '1', '--execute'])
    assert.equal(executed.code, 0, executed.stderr)
    assert.deepEqual(await committed(), [[0, before[0]?.[1]], [1, 1n]])

    const deleted = await cli(['groups', 'delete-offsets', group, '--topic', `${topic}:0`])
    assert.equal(deleted.code, 0, deleted.stderr)
    assert.deepEqual(await committed(), [[0, -1n], [1, 1n]])

    const usage = await cli(['groups', 'reset-offsets', group, '--topic', topic, '--to-earliest', '--to-latest'])
    assert.equal(usage.code, 2)
    assert.match(usage.stderr, /exactly one of --to-earliest, --to-latest, --to-datetime, --to-offset/)
  })
})
