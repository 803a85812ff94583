/**
 * No secret leaves the agent. The agent runs as operators run it (bin/steadfast agent) at the most
 * verbose log level (trace), with a Kafka SCRAM password and the Cruise Control basic-auth password
 * from environment variables, and the Connect basic-auth password and the API bearer token from
 * files. It is driven through a failing reconcile (a connector Connect refuses), retries (a Connect
 * 409 storm), an action with a wrong and with the right token, and a config reload. Then nothing
 * it wrote or served holds a secret, in any form it was used in (the value, `user:password`, its
 * base64): not stdout or stderr, not /metrics, not the /api answers, not the status page, not the
 * files of its state directory. `/api/config` shows each secret as `[redacted]`.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConnectSimulator } from '../../src/testkit/connect-sim/index.ts'
import { CruiseControlSimulator } from '../../src/testkit/cruise-control-sim/simulator.ts'
import { RealCluster } from '../../src/testkit/real-cluster/real-cluster.ts'

const BIN = new URL('../../bin/steadfast', import.meta.url).pathname
const secret = (what: string): string => `${what}-${randomBytes(12).toString('hex')}`
const KAFKA_PASSWORD = secret('kafka')
const CONNECT_PASSWORD = secret('connect')
const CC_PASSWORD = secret('cruise')
const TOKEN = secret('token')

let cluster: RealCluster
before(async () => { cluster = await RealCluster.start({ brokers: 1, sasl: { users: { agent: KAFKA_PASSWORD } } }) })
after(async () => { await cluster?.stop() })

/** Every form a secret was used in: the value, and for basic auth `user:password` and its base64. */
function forms (): Array<[string, string]> {
  const basic = (user: string, password: string): Array<[string, string]> => [[`${user}:${password}`, `${user} basic pair`], [Buffer.from(`${user}:${password}`).toString('base64'), `${user} basic header`]]
  return [
    [KAFKA_PASSWORD, 'Kafka SASL password'], [CONNECT_PASSWORD, 'Connect password'], [CC_PASSWORD, 'Cruise Control password'], [TOKEN, 'API token'],
    ...basic('connect-user', CONNECT_PASSWORD), ...basic('cc-user', CC_PASSWORD),
  ]
}

async function until<T> (what: string, check: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 1200; i++) {
    const value = await check().catch(() => undefined)
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  assert.fail(`${what} did not happen`)
}

test('trace logs, /metrics, the API, the page and the state files hold no secret; /api/config masks them', { timeout: 180_000 }, async (t) => {
  const sim = await ConnectSimulator.start({ workers: 2, rebalanceMs: 0, restartMs: 0 })
  const cc = await CruiseControlSimulator.start({ proposalComputeMs: 50, executionTickMs: 100, auth: { username: 'cc-user', password: CC_PASSWORD } })
  const dir = await mkdtemp(join(tmpdir(), 'steadfast-agent-secrets-'))
  t.after(async () => {
    await sim.stop()
    await cc.stop()
    await rm(dir, { recursive: true, force: true })
  })
  await mkdir(join(dir, 'manifests'))
  await mkdir(join(dir, 'secrets'))
  await writeFile(join(dir, 'secrets', 'connect'), `${CONNECT_PASSWORD}\n`)
  await writeFile(join(dir, 'secrets', 'token'), `${TOKEN}\n`)
  await writeFile(join(dir, 'manifests', 'good.yaml'), 'kind: KafkaConnector\nmetadata: { name: good }\nspec:\n  class: FileStreamSource\n  config: { topic: good-topic }\n')
  // A sink without topics: Connect refuses its config with a 400, a failing reconcile every pass.
  await writeFile(join(dir, 'manifests', 'refused.yaml'), 'kind: KafkaConnector\nmetadata: { name: refused }\nspec:\n  class: FileStreamSink\n  config: {}\n')
  await writeFile(join(dir, 'manifests', 'rebalance.yaml'), 'kind: KafkaRebalance\nmetadata: { name: full }\nspec:\n  mode: full\n')
  const file = join(dir, 'agent.yaml')
  const config = (interval: string): string => [
    'kafka:',
    `  bootstrap: ${cluster.saslBootstrap}`,
    `  tls: { ca: { file: ${cluster.caFile ?? ''} } }`,
    '  sasl: { mechanism: SCRAM-SHA-512, username: agent, password: { env: KAFKA_PASSWORD } }',
    'connect:',
    `  urls: [${sim.urls.join(', ')}]`,
    '  auth: { username: connect-user, password: { file: secrets/connect } }',
    'cruiseControl:',
    `  url: ${cc.url}`,
    '  auth: { username: cc-user, password: { env: CC_PASSWORD } }',
    'manifests: manifests',
    'http:',
    '  listen: 127.0.0.1:0',
    '  token: { file: secrets/token }',
    `intervals: { connectors: ${interval}, rebalances: 200ms, lag: 300ms }`,
    '',
  ].join('\n')
  await writeFile(file, config('300ms'))

  const child = spawn(BIN, ['agent', '--config', file], { env: { ...process.env, STEADFAST_LOG_LEVEL: 'trace', KAFKA_PASSWORD, CC_PASSWORD }, stdio: ['ignore', 'pipe', 'pipe'] })
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const url = await until('the agent serving', async () => /serving (http:\/\/[\d.:]+)\//.exec(stdout)?.[1])
  const get = async (path: string): Promise<string> => await (await fetch(`${url}${path}`)).text()
  const json = async (path: string): Promise<any> => JSON.parse(await get(path))

  await until('the good connector Ready and the refused one failing', async () => {
    const body = await json('/api/connectors')
    const condition = (name: string) => body.connectors?.find((c: { name: string }) => c.name === name)?.condition
    return condition('good')?.type === 'Ready' && condition('refused')?.reason === 'Error' ? true : undefined
  })
  // A 409 storm while the passes write (the refused create) and a restart is asked for: retried, and logged as it goes.
  const restart = async (token: string): Promise<number> => (await fetch(`${url}/api/connectors/good/restart`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status
  assert.equal(await restart(`${TOKEN}-wrong`), 401)
  const stormAt = new Date().toISOString()
  const storm = sim.storm({ durationMs: 1_500 })
  assert.equal(await restart(TOKEN), 202)
  await storm
  await until('a Connect 409 retried during the storm', async () => (await json('/api/retries') as Array<{ at: string, component: string, message: string }>)
    .some((r) => r.at >= stormAt && r.component === 'connect' && /answered 409/.test(r.message))
    ? true
    : undefined)
  await until('the lag loop reading Kafka over SCRAM', async () => (await json('/api/status')).loops.find((l: { name: string }) => l.name === 'lag')?.lastSuccessAt)

  await until('the rebalance proposal (Cruise Control reached with its password)', async () => (await json('/api/rebalances')).rebalances?.[0]?.record.state === 'ProposalReady' ? true : undefined)
  const approve = async (token: string): Promise<number> => (await fetch(`${url}/api/rebalances/full/approve`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status
  assert.equal(await approve(`${TOKEN}-wrong`), 401)
  assert.equal(await approve(TOKEN), 202)

  await writeFile(file, config('400ms'))
  await until('the config reload', async () => (await json('/api/events?limit=200') as Array<{ kind: string, message: string }>).some((e) => e.kind === 'config' && e.message === 'config reloaded') ? true : undefined)
  await until('a pass of the new runtime', async () => (await json('/api/status')).loops.find((l: { name: string }) => l.name === 'connectors')?.lastSuccessAt)

  const served: Record<string, string> = {}
  for (const path of ['/metrics', '/', '/api/status', '/api/connectors', '/api/rebalances', '/api/groups', '/api/events?limit=1000', '/api/retries', '/api/config', '/healthz', '/readyz']) served[path] = await get(path)
  const shown = JSON.parse(served['/api/config'] ?? '{}')
  assert.deepEqual([shown.kafka.sasl.password, shown.connect.auth.password, shown.cruiseControl.auth.password, shown.http.token], ['[redacted]', '[redacted]', '[redacted]', '[redacted]'])
  assert.equal(shown.connect.auth.username, 'connect-user', 'the rest of the setting is shown')

  child.kill('SIGTERM')
  const [code] = await once(child, 'exit') as [number | null]
  assert.equal(code, 0, stderr.slice(-2000))
  const stateDir = join(dir, 'state')
  const files: Record<string, string> = {}
  for (const name of await readdir(stateDir)) files[`state/${name}`] = (await readFile(join(stateDir, name))).toString('latin1')

  // The outputs are not empty: a test that looks at nothing cannot fail.
  const verbose = stderr.split('\n').filter((l) => /^\{"level":(10|20),/.test(l)).length
  t.diagnostic(`${stderr.split('\n').length} log lines, ${verbose} at trace or debug`)
  assert.ok(verbose >= 3, `trace and debug lines were logged (${verbose})`)
  assert.match(stderr, /answered 409/, 'the retries were logged')
  assert.match(stderr, /refused/, 'the failing reconcile was logged')
  assert.match(served['/metrics'] ?? '', /steadfast_retries_total/)
  assert.ok(Object.keys(files).includes('state/agent.db'))
  for (const [where, text] of Object.entries({ stdout, stderr, ...served, ...files })) {
    for (const [value, what] of forms()) assert.ok(!text.includes(value), `${where} holds the ${what}`)
  }
})
