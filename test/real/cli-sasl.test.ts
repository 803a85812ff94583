/**
 * The CLI on a secured cluster (issue 17): real Kafka's SASL_SSL listener with a SCRAM user whose
 * password is not ASCII, reached through a --command-config file in Kafka's property names, the
 * password from STEADFAST_SASL_PASSWORD typed decomposed (SASLprep composes it to the form the
 * broker stored; without it the proof would not match). The user name is ASCII: Kafka's SCRAM
 * server accepts only ASCII in the client-first message's user name. What `steadfast produce`
 * wrote is read back by kcat on the PLAINTEXT listener.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { kcatRead } from '../producer/helpers.ts'
import { runCli } from '../support/run-cli.ts'
import { realClusterSuite, unique } from './suite.ts'

const USER = 'steadfast-cli'
const PASSWORD = 'p\u00E4ssw\u00F6rd'

describe('steadfast commands over SASL_SSL (SCRAM-SHA-512, a non-ASCII password)', { timeout: 300_000 }, () => {
  const suite = realClusterSuite({ brokers: 1, sasl: { users: { [USER]: PASSWORD } } })

  test('topics create, produce and topics describe through --command-config; a wrong password fails with the broker\'s reason', async (t) => {
    const { cluster } = suite
    const dir = await mkdtemp(join(tmpdir(), 'steadfast-cli-sasl-'))
    t.after(async () => { await rm(dir, { recursive: true, force: true }) })
    const config = join(dir, 'client.properties')
    await writeFile(config, [
      `bootstrap.servers=${cluster.saslBootstrap}`,
      'security.protocol=SASL_SSL',
      'sasl.mechanism=SCRAM-SHA-512',
      `sasl.username=${USER}`,
      `ssl.ca.location=${cluster.caFile ?? ''}`,
    ].join('\n') + '\n')
    const env = { STEADFAST_SASL_PASSWORD: PASSWORD.normalize('NFD') }
    const topic = unique('cli-sasl')
    const created = await runCli(['topics', 'create', topic, '--partitions', '2', '--replication-factor', '1', '--command-config', config], { env, killAfterMs: 90_000 })
    assert.equal(created.code, 0, created.stderr)
    const produced = await runCli(['produce', '-t', topic, '-p', '1', '-K', ':', '-H', 'via=sasl', '--command-config', config], { env, stdin: 'k1:v1\nk2:v2\n', killAfterMs: 90_000 })
    assert.equal(produced.code, 0, produced.stderr)
    assert.deepEqual((await kcatRead(cluster.bootstrap, topic, 1)).map((r) => [r.key, r.value, r.headers]), [['k1', 'v1', 'via=sasl'], ['k2', 'v2', 'via=sasl']])
    const described = await runCli(['topics', 'describe', topic, '--command-config', config, '-o', 'json'], { env, killAfterMs: 90_000 })
    assert.equal(described.code, 0, described.stderr)
    assert.deepEqual(JSON.parse(described.stdout)[0].partitions.map((p: { partition: number }) => p.partition), [0, 1])
    const wrong = await runCli(['topics', 'list', '--command-config', config, '--timeout', '20s'], { env: { STEADFAST_SASL_PASSWORD: 'wrong' }, killAfterMs: 90_000 })
    assert.equal(wrong.code, 1)
    assert.match(wrong.stderr, /SASL SCRAM-SHA-512 authentication as steadfast-cli .* failed/)
    assert.ok(!wrong.stderr.includes('wrong'), 'the password is not printed')
  })
})
