/**
 * The agent against a secured real Kafka: its `kafka:` block with TLS (the CA from a file) and
 * SCRAM-SHA-512 (the password from an environment variable) reaches the broker's SASL_SSL
 * listener, and the lag loop reads the group's lag there; the password is not served.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Admin } from '../../src/admin/admin.ts'
import { Agent } from '../../src/agent/agent.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { Producer } from '../../src/producer/producer.ts'
import { RealCluster } from '../../src/testkit/real-cluster/real-cluster.ts'

const logger = createLogger({ level: 'silent' })
let cluster: RealCluster
let dir: string

before(async () => {
  cluster = await RealCluster.start({ brokers: 1, sasl: true, topics: [{ name: 'orders', partitions: 1, replicationFactor: 1 }] })
  dir = await mkdtemp(join(tmpdir(), 'steadfast-agent-secured-'))
})
after(async () => {
  await cluster?.stop()
  await rm(dir, { recursive: true, force: true })
})

test('TLS + SCRAM-SHA-512 from the config: the lag loop reads the group on the SASL_SSL listener', { timeout: 120_000 }, async (t) => {
  const producer = new Producer({ bootstrap: cluster.bootstrap, logger })
  const admin = new Admin({ bootstrap: cluster.bootstrap, logger })
  for (let n = 0; n < 5; n++) await producer.send({ topic: 'orders', partition: 0, key: `k${n}`, value: `v${n}` })
  await admin.alterConsumerGroupOffsets('billing', [{ topic: 'orders', partition: 0, offset: 2 }])
  await producer.close()
  await admin.close()

  const password = cluster.saslUsers?.steadfast
  assert.ok(password !== undefined)
  const file = join(dir, 'agent.yaml')
  await writeFile(file, [
    'kafka:',
    `  bootstrap: ${cluster.saslBootstrap}`,
    `  tls: { ca: { file: ${cluster.caFile ?? ''} } }`,
    '  sasl: { mechanism: SCRAM-SHA-512, username: steadfast, password: { env: KAFKA_PASSWORD } }',
    'groups: [{ name: billing, topics: [orders] }]',
    'http: { listen: 127.0.0.1:0 }',
    '',
  ].join('\n'))
  const agent = await Agent.start(file, { logger, env: { KAFKA_PASSWORD: password } })
  t.after(async () => { await agent.stop() })
  await agent.runtime.loop('lag')?.trigger()
  const billing = agent.runtime.lag?.snapshot.groups.find((g) => g.group === 'billing')
  assert.equal(billing?.error, undefined)
  assert.equal(billing?.totalLag, 3n)
  assert.equal(agent.runtime.loop('lag')?.status.failures, 0)
  assert.ok(!(await (await fetch(`${agent.url}/api/status`)).text()).includes(password), 'the password is not served')
})
