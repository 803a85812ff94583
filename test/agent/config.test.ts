import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { ConfigError, parseConfig } from '../../src/agent/config.ts'

const FILE = '/etc/steadfast/agent.yaml'

async function problems (text: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  try {
    await parseConfig(text, FILE, env)
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error))
    return error.problems.map((p) => `${p.line ?? '-'} ${p.path}: ${p.message}`)
  }
  assert.fail('the config was accepted')
}

test('defaults: every loop interval, the listen address, state and groups', async () => {
  const config = await parseConfig('kafka:\n  bootstrap: k1:9092,k2:9092\n', FILE, {})
  assert.deepEqual(config.kafka, { bootstrap: 'k1:9092,k2:9092', clientId: 'steadfast-agent' })
  assert.deepEqual(config.intervals, { connectors: 10_000, rebalances: 5_000, lag: 15_000 })
  assert.deepEqual(config.http, { host: '127.0.0.1', port: 8080 })
  assert.equal(config.state, '/etc/steadfast/state')
  assert.deepEqual(config.groups, [{ name: '*' }])
  assert.equal(config.connect, undefined)
})

test('every problem is reported with its line and key, unknown keys included', async () => {
  const text = [
    'kafka:',
    '  bootstrap: not-a-list',
    '  sasl:',
    '    mechanism: GSSAPI',
    '    username: agent',
    '    password: hunter2',
    'connect:',
    '  urls: [http://connect:8083]',
    'intervals:',
    '  lag: soon',
    'colour: blue',
  ].join('\n')
  const found = await problems(text)
  assert.ok(found.some((p) => p.startsWith('2 kafka.bootstrap: must be host:port')), found.join('\n'))
  assert.ok(found.some((p) => p.startsWith('4 kafka.sasl.mechanism:')), found.join('\n'))
  assert.ok(found.some((p) => p.startsWith('6 kafka.sasl.password: must be { env: NAME } or { file: path }')), found.join('\n'))
  assert.ok(found.some((p) => p.startsWith('10 intervals.lag: "soon" is not a duration')), found.join('\n'))
  assert.ok(found.some((p) => p === '11 colour: unknown field'), found.join('\n'))
})

test('connect or cruiseControl without a manifests directory is refused', async () => {
  assert.deepEqual(await problems('connect:\n  urls: http://connect:8083\n'),
    ['1 manifests: is required when connect or cruiseControl is set (the directory of KafkaConnector and KafkaRebalance documents)'])
})

test('YAML syntax errors name their line', async () => {
  const found = await problems('kafka:\n  bootstrap: [unclosed\n')
  assert.match(found[0] ?? '', /^\d+ : YAML syntax/)
})

test('secrets come from the environment or a file, and never print', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'steadfast-config-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'token'), 's3cret-token\n')
  const text = [
    'kafka:',
    '  bootstrap: k:9093',
    '  sasl: { mechanism: SCRAM-SHA-512, username: agent, password: { env: KAFKA_PASSWORD } }',
    'http:',
    '  token: { file: token }',
  ].join('\n')
  const config = await parseConfig(text, join(dir, 'agent.yaml'), { KAFKA_PASSWORD: 'pa55word' })
  assert.equal(config.kafka?.sasl?.password.reveal(), 'pa55word')
  assert.equal(config.http.token?.reveal(), 's3cret-token')
  const shown = JSON.stringify(config) + inspect(config, { depth: 10 }) + String(config.http.token)
  assert.ok(!shown.includes('pa55word') && !shown.includes('s3cret-token'), shown)
  assert.ok(shown.includes('[redacted]'))
})

test('a missing secret is a problem at its key, naming the variable or the file', async () => {
  const found = await problems([
    'kafka:',
    '  bootstrap: k:9093',
    '  sasl: { mechanism: PLAIN, username: agent, password: { env: NOPE } }',
    'http:',
    '  token: { file: /nonexistent/token }',
  ].join('\n'))
  assert.deepEqual(found, [
    '3 kafka.sasl.password: environment variable NOPE is not set',
    '5 http.token: cannot read secret file /nonexistent/token: ENOENT',
  ])
})

test('watched groups: names, patterns and { name, topics }', async () => {
  const config = await parseConfig('groups:\n  - billing\n  - "orders-*"\n  - { name: audit, topics: [orders] }\n', FILE, {})
  assert.deepEqual(config.groups, [{ name: 'billing' }, { name: 'orders-*' }, { name: 'audit', topics: ['orders'] }])
})

test('ha: defaults derived from the group, needs kafka, and a bad group or duration is named', async () => {
  const config = await parseConfig('kafka:\n  bootstrap: k1:9092\nha: { group: ops-agents }\n', FILE, {})
  assert.deepEqual(config.ha, { group: 'ops-agents', topic: 'ops-agents-state', sessionTimeout: 10_000 })
  assert.deepEqual((await parseConfig('kafka:\n  bootstrap: k1:9092\nha: {}\n', FILE, {})).ha, { group: 'steadfast-agent', topic: 'steadfast-agent-state', sessionTimeout: 10_000 })
  assert.equal((await parseConfig('kafka:\n  bootstrap: k1:9092\n', FILE, {})).ha, undefined, 'no ha: a single agent')
  assert.deepEqual(await problems('ha: {}\n'), ['1 kafka: is required when ha is set (the lease and the state topic live in Kafka)'])
  const bad = await problems('kafka:\n  bootstrap: k1:9092\nha:\n  group: "no spaces"\n  sessionTimeout: 10\n')
  assert.equal(bad.length, 2, bad.join('\n'))
  assert.match(bad[0] ?? '', /^4 ha\.group: must be a consumer group name/)
  assert.match(bad[1] ?? '', /^5 ha\.sessionTimeout: /)
})

test('connect.rebalanceGrace: 60 s by default, 0 turns it off, a negative or unitless one is named; discoverWorkers off by default', async () => {
  const base = 'manifests: m\nconnect:\n  urls: http://connect:8083\n'
  assert.equal((await parseConfig(base, FILE, {})).connect?.rebalanceGrace, 60_000)
  assert.equal((await parseConfig(base, FILE, {})).connect?.discoverWorkers, false, 'worker discovery is off by default')
  assert.equal((await parseConfig(`${base}  discoverWorkers: true\n`, FILE, {})).connect?.discoverWorkers, true)
  assert.equal((await parseConfig(`${base}  rebalanceGrace: 2m\n`, FILE, {})).connect?.rebalanceGrace, 120_000)
  assert.equal((await parseConfig(`${base}  rebalanceGrace: 0s\n`, FILE, {})).connect?.rebalanceGrace, 0)
  assert.deepEqual(await problems(`${base}  rebalanceGrace: 30\n`), ['4 connect.rebalanceGrace: "30" needs a unit: 30ms or 30s (examples: 500ms, 30s, 2m, 1h, 1m30s)'])
  assert.match((await problems(`${base}  rebalanceGrace: "-5s"\n`))[0] ?? '', /^4 connect\.rebalanceGrace: "-5s" is not a duration/)
})
