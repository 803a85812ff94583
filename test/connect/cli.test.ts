/**
 * `steadfast connect …` and `steadfast testkit connect`: the command group runs in-process
 * against a simulator (fast); a couple of smoke tests spawn bin/steadfast for real.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test, type TestContext } from 'node:test'
import { Command } from 'commander'
import { ConnectApplyError, register } from '../../src/cli/commands/connect.ts'
import { ManifestError } from '../../src/connect/manifest.ts'
import { DeadlineExceededError } from '../../src/resilience/errors.ts'
import { ConnectSimulator } from '../../src/testkit/connect-sim/index.ts'
import { closedPort } from '../support/hostile-peers.ts'
import { runCli } from '../support/run-cli.ts'
import { eventually } from './helpers.ts'

const ROOT = join(import.meta.dirname, '../..')

const manifestYaml = (name: string, extra = ''): string => `apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaConnector
metadata:
  name: ${name}
spec:
  class: FileStreamSource
  tasksMax: 2
  config:
    topic: ${name}-events
${extra}`

/** The exit code the last in-process command set (process.exitCode), reset so the test runner's own stays 0. */
let lastExitCode = 0

async function cli (t: TestContext, args: string[]): Promise<string> {
  const program = new Command('steadfast').exitOverride()
  register(program.command('connect'))
  let out = ''
  // Commands write strings; the test runner's own events (binary) pass through untouched.
  const write = process.stdout.write.bind(process.stdout) as (chunk: string | Uint8Array) => boolean
  t.mock.method(process.stdout, 'write', (chunk: string | Uint8Array) => {
    if (typeof chunk !== 'string') return write(chunk)
    out += chunk
    return true
  })
  try {
    await program.parseAsync(args, { from: 'user' })
  } finally {
    t.mock.restoreAll()
    lastExitCode = typeof process.exitCode === 'number' ? process.exitCode : 0
    process.exitCode = undefined
  }
  return out
}

describe('steadfast connect (in-process)', () => {
  let sim: ConnectSimulator
  let dir: string
  let url: string[]
  before(async () => {
    process.env.STEADFAST_LOG_LEVEL ??= 'silent'
    sim = await ConnectSimulator.start({ workers: 3, rebalanceMs: 10, restartMs: 0 })
    dir = await mkdtemp(join(tmpdir(), 'steadfast-connect-cli-'))
    await writeFile(join(dir, 'a.yaml'), manifestYaml('alpha'))
    await writeFile(join(dir, 'b.yaml'), `${manifestYaml('beta', '  state: paused\n')}---\n${manifestYaml('gamma')}`)
    // Repeated and comma-separated --url both work.
    url = ['--url', `${sim.urls[0] ?? ''},${sim.urls[1] ?? ''}`, '--url', sim.urls[2] ?? '']
  })
  after(async () => {
    await sim.stop()
    await rm(dir, { recursive: true, force: true })
  })

  test('apply --dry-run prints the plan as a diff and sends no write', async (t) => {
    const state = join(dir, 'state.json')
    const out = await cli(t, ['connect', 'apply', '-f', join(dir, 'manifests-missing'), ...url, '--state', state]).catch((e: Error) => e.message)
    assert.match(out, /cannot read .*manifests-missing/)
    const plan = await cli(t, ['connect', 'apply', '-f', dir, '--dry-run', ...url, '--state', state])
    assert.match(plan, /^\+ create alpha \(RUNNING\)\n/m)
    assert.match(plan, /^\+ create beta \(PAUSED\)\n/m)
    assert.match(plan, /^\+ {5}topic: gamma-events$/m)
    assert.match(plan, /Plan: 3 to create, 0 to update, 0 state change\(s\), 0 restart\(s\), 0 to delete\./)
    assert.equal(lastExitCode, 1, 'changes planned: exit 1, as kubectl diff')
    assert.equal(sim.requests.filter((r) => r.method !== 'GET').length, 0)
  })

  test('apply --wait converges; get, status, pause, resume, stop, restart, offsets, plugins, delete', async (t) => {
    const state = join(dir, 'state.json')
    const applied = await cli(t, ['connect', 'apply', '-f', dir, '--wait', '--interval', '20ms', ...url, '--state', state, '--timeout', '20s'])
    assert.match(applied, /^NAME\s+MANAGED\s+ACTIONS\s+CONDITION/)
    assert.match(applied, /alpha\s+yes\s+-\s+Ready/)
    assert.match(applied, /beta\s+yes\s+-\s+Ready/)
    assert.deepEqual(Object.keys((JSON.parse(await readFile(state, 'utf8')) as { managed: object }).managed).sort(), ['alpha', 'beta', 'gamma'])

    const again = JSON.parse(await cli(t, ['connect', 'apply', '-f', dir, ...url, '--state', state, '--output', 'json'])) as { ready: boolean }
    assert.equal(again.ready, true)
    assert.match(await cli(t, ['connect', 'apply', '-f', dir, '--dry-run', ...url, '--state', state]), /^No changes/)

    const list = await cli(t, ['connect', 'get', ...url])
    assert.match(list, /alpha\s+source\s+FileStreamSource\s+RUNNING\s+2/)
    assert.match(list, /beta\s+source\s+FileStreamSource\s+PAUSED\s+2/)
    assert.match(await cli(t, ['connect', 'get', 'alpha', ...url]), /topic\s+alpha-events/)

    sim.failTask('alpha', 1, 'disk full')
    assert.match(await cli(t, ['connect', 'status', ...url]), /alpha\s+RUNNING\s+\S+\s+1\/2\s+1/)
    assert.match(await cli(t, ['connect', 'status', 'alpha', ...url]), /task 1\s+FAILED\s+\S+\s+org\.apache\.kafka\.connect\.errors\.ConnectException: disk full/)
    const restarted = JSON.parse(await cli(t, ['connect', 'restart', 'alpha', '--include-tasks', '--only-failed', ...url, '--output', 'json'])) as { outcome: string, status: { tasks: Array<{ state: string }> } }
    assert.equal(restarted.outcome, 'restarting')
    assert.deepEqual(restarted.status.tasks.map((t) => t.state), ['RUNNING', 'RESTARTING'])
    await eventually(() => sim.connector('alpha')?.tasks[1]?.state === 'RUNNING')
    assert.match(await cli(t, ['connect', 'restart', 'alpha', '--task', '0', ...url]), /alpha\/0\s+restarted/)
    await assert.rejects(cli(t, ['connect', 'restart', 'alpha', '--task', '0', '--only-failed', ...url]), /cannot be combined/)

    assert.match(await cli(t, ['connect', 'pause', 'gamma', ...url]), /gamma\s+paused/)
    assert.equal(sim.connector('gamma')?.state, 'PAUSED')
    assert.match(await cli(t, ['connect', 'resume', 'gamma', ...url]), /gamma\s+resumed/)
    assert.equal(sim.connector('gamma')?.state, 'RUNNING')

    await assert.rejects(cli(t, ['connect', 'offsets', 'alter', 'gamma', '--offsets', '[{"partition":{"filename":"f"},"offset":{"position":5}}]', ...url]), /must be in the STOPPED state/)
    const altered = await cli(t, ['connect', 'offsets', 'alter', 'gamma', '--stop-first', '--offsets', '[{"partition":{"filename":"f"},"offset":{"position":5}}]', ...url])
    assert.match(altered, /altered successfully/)
    assert.match(await cli(t, ['connect', 'offsets', 'get', 'gamma', ...url]), /^PARTITION\s+OFFSET\n.*filename.*position/)
    assert.deepEqual(JSON.parse(await cli(t, ['connect', 'offsets', 'get', 'gamma', ...url, '--output', 'json'])), { offsets: [{ partition: { filename: 'f' }, offset: { position: 5 } }] })
    assert.match(await cli(t, ['connect', 'offsets', 'reset', 'gamma', ...url]), /reset successfully/)
    await assert.rejects(cli(t, ['connect', 'offsets', 'alter', 'gamma', '--offsets', '[{"offset":{}}]', ...url]), /\[0\]\.partition must be an object/)
    assert.match(await cli(t, ['connect', 'stop', 'beta', ...url]), /beta\s+stopped/)

    const plugins = JSON.parse(await cli(t, ['connect', 'plugins', ...url, '--output', 'json'])) as Array<{ class: string }>
    assert.ok(plugins.some((p) => p.class === 'org.apache.kafka.connect.file.FileStreamSinkConnector'))

    // Removing a manifest deletes nothing, unless --prune: then the connectors steadfast created
    // that no manifest declares any more go.
    await rm(join(dir, 'b.yaml'))
    const kept = await cli(t, ['connect', 'apply', '-f', dir, ...url, '--state', state])
    assert.doesNotMatch(kept, /Deleted/)
    assert.deepEqual(Object.keys(Object.fromEntries(sim.group.connectors)).sort(), ['alpha', 'beta', 'gamma'])
    assert.match(await cli(t, ['connect', 'apply', '-f', dir, ...url, '--state', state, '--dry-run', '--prune']), /^- delete beta$/m)
    assert.equal(lastExitCode, 1)
    const pruned = await cli(t, ['connect', 'apply', '-f', dir, ...url, '--state', state, '--prune'])
    assert.match(pruned, /beta\s+yes\s+delete\s+Deleted/)
    assert.match(pruned, /gamma\s+yes\s+delete\s+Deleted/)
    assert.deepEqual(Object.keys(Object.fromEntries(sim.group.connectors)), ['alpha'])
    assert.match(await cli(t, ['connect', 'delete', 'alpha', ...url]), /alpha\s+deleted/)
    await assert.rejects(cli(t, ['connect', 'delete', 'alpha', ...url]), /answered 404: Connector alpha not found/)
  })

  test('invalid manifests are rejected before any request is sent', async (t) => {
    await writeFile(join(dir, 'bad.yaml'), manifestYaml('broken').replace('tasksMax: 2', 'tasksMax: -1'))
    const count = sim.requests.length
    await assert.rejects(cli(t, ['connect', 'apply', '-f', join(dir, 'bad.yaml'), ...url]), (e: unknown) =>
      e instanceof ManifestError && /bad\.yaml:7 \(document 1\): spec\.tasksMax: must be an integer >= 1/.test(e.message))
    assert.equal(sim.requests.length, count)
    await rm(join(dir, 'bad.yaml'))
  })

  test('apply without --wait fails when a connector could not be reconciled', async (t) => {
    const broken = join(dir, 'broken')
    await mkdir(broken)
    await writeFile(join(broken, 'sink.yaml'), manifestYaml('sinkless').replace('FileStreamSource', 'FileStreamSink'))
    await assert.rejects(cli(t, ['connect', 'apply', '-f', broken, ...url, '--state', join(dir, 'broken-state.json')]), (e: unknown) =>
      e instanceof ConnectApplyError && e.code === 'STEADFAST_ERR_CONNECT_APPLY' && /1 connector\(s\) could not be reconciled: sinkless \(Connect POST .* answered 400: Connector configuration is invalid/.test(e.message))
    assert.equal(sim.connector('sinkless'), undefined)
  })

  test('apply --prune refuses a manifest directory that declares nothing unless --allow-empty', async (t) => {
    const empty = join(dir, 'empty')
    await mkdir(empty)
    const state = join(dir, 'empty-state.json')
    await writeFile(state, JSON.stringify({ version: 1, clusterId: 'sim-cluster-0', managed: { precious: { createdAt: 1 } }, restarts: {} }))
    await assert.rejects(cli(t, ['connect', 'apply', '-f', empty, ...url, '--state', state, '--prune']), /no connectors are declared.*--allow-empty/)
    assert.match(await cli(t, ['connect', 'apply', '-f', empty, ...url, '--state', state, '--dry-run']), /^No changes/, 'without --prune nothing is deleted')
    assert.equal(lastExitCode, 0, 'no changes: exit 0')
  })

  test('--timeout bounds the whole command, retries included, and keeps the last cause', async (t) => {
    await cli(t, ['connect', 'apply', '-f', dir, '--wait', '--interval', '20ms', ...url, '--state', join(dir, 'timeout-state.json')])
    const storm = sim.storm({ durationMs: 3_000 })
    try {
      await assert.rejects(cli(t, ['connect', 'delete', 'alpha', ...url, '--timeout', '300ms']), (e: unknown) =>
        e instanceof DeadlineExceededError && e.cause instanceof Error && /answered 409: Cannot complete request momentarily due to stale configuration/.test(e.cause.message))
    } finally {
      sim.stopStorm()
      sim.group.finishRebalance()
      await storm
    }
    await cli(t, ['connect', 'delete', 'alpha', ...url])
  })

  test('apply --wait waits while a worker rebalance moves a connector: Ready (Reassigning) is not enough, RUNNING is', async (t) => {
    const moving = await ConnectSimulator.start({ workers: 3, rebalanceMs: 0, restartMs: 0 })
    t.after(() => moving.stop())
    const movingUrl = ['--url', moving.urls.join(',')]
    const moved = join(dir, 'moved')
    await mkdir(moved)
    await writeFile(join(moved, 'm.yaml'), manifestYaml('moved'))
    const state = join(dir, 'moved-state.json')
    await cli(t, ['connect', 'apply', '-f', moved, '--wait', '--interval', '20ms', ...movingUrl, '--state', state])
    // A long rebalance is under way when a worker running part of it (not the leader) leaves.
    const status = moving.group.connectors.get('moved')
    const worker = [status?.connector, ...(status?.tasks ?? [])].map((i) => i?.workerId).find((id) => id !== undefined && id !== moving.group.leader)
    assert.ok(worker !== undefined)
    moving.rebalance(600_000)
    await moving.removeWorker(moving.workers.find((w) => w.id === worker)?.url as string)

    const once = JSON.parse(await cli(t, ['connect', 'apply', '-f', moved, ...movingUrl, '--state', state, '--output', 'json'])) as { ready: boolean, reassigning: number, settled: boolean, connectors: Array<{ condition: { reason?: string } }> }
    assert.deepEqual([once.ready, once.reassigning, once.settled, once.connectors[0]?.condition.reason], [true, 1, false, 'Reassigning'], 'the grace the first apply began continues from its state file')
    await assert.rejects(cli(t, ['connect', 'apply', '-f', moved, '--wait', '--interval', '20ms', ...movingUrl, '--state', state, '--timeout', '500ms']), (e: unknown) =>
      e instanceof DeadlineExceededError && /not every connector and task is in its declared state within 500 ms \(moved: still being moved by a worker rebalance\)/.test(e.message))

    let finished = false
    const waiting = cli(t, ['connect', 'apply', '-f', moved, '--wait', '--interval', '20ms', ...movingUrl, '--state', state, '--output', 'json']).then((out) => ({ out, finished }))
    const passes = (): number => moving.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/connectors?')).length
    const before = passes()
    await eventually(() => passes() >= before + 3, 2_000)
    finished = true
    moving.group.finishRebalance()
    const { out, finished: returnedAfter } = await waiting
    assert.equal(returnedAfter, true, 'apply --wait kept passing while the connector was being moved')
    const done = JSON.parse(out) as { ready: boolean, reassigning: number, settled: boolean }
    assert.deepEqual([done.ready, done.reassigning, done.settled], [true, 0, true])
    const after = moving.connector('moved')
    assert.deepEqual([after?.state, ...(after?.tasks ?? []).map((i) => i.state)], ['RUNNING', 'RUNNING', 'RUNNING'])
  })
})

describe('bin/steadfast (spawned)', () => {
  test('testkit connect serves consecutive workers; connect commands reach it; SIGTERM stops it cleanly', async (t) => {
    const env = { ...process.env, STEADFAST_LOG_LEVEL: 'silent' }
    const child = spawn(join(ROOT, 'bin/steadfast'), ['testkit', 'connect', '--workers', '2', '--port', '0', '--output', 'json', '--rebalance-time', '10ms'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env })
    t.after(() => { if (child.exitCode === null) child.kill('SIGKILL') })
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    const info = await new Promise<{ urls: string[], leader: string }>((resolve, reject) => {
      let out = ''
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0] ?? '') as { urls: string[], leader: string })
      })
      child.once('exit', (code) => reject(new Error(`exited ${code} before printing its URLs`)))
    })
    assert.equal(info.urls.length, 2)
    assert.ok(info.urls.includes(info.leader))

    const dir = await mkdtemp(join(tmpdir(), 'steadfast-connect-bin-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    await writeFile(join(dir, 'c.yaml'), manifestYaml('spawned'))
    const run = (args: string[]): Promise<{ code: number | null, stdout: string, stderr: string }> => new Promise((resolve) => {
      const c = spawn(join(ROOT, 'bin/steadfast'), args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env })
      let stdout = ''
      let stderr = ''
      c.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
      c.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
      c.once('exit', (code) => resolve({ code, stdout, stderr }))
    })
    const applied = await run(['connect', 'apply', '-f', 'c.yaml', '--wait', '--interval', '20ms', '--url', info.urls.join(','), '--output', 'json'])
    assert.equal(applied.code, 0, applied.stderr)
    assert.equal((JSON.parse(applied.stdout) as { ready: boolean }).ready, true)
    assert.ok((await readFile(join(dir, '.steadfast/connect-state.json'), 'utf8')).includes('"spawned"'))

    await writeFile(join(dir, 'bad.yaml'), 'kind: KafkaConnector\nmetadata: {name: x}\nspec: {class: C, state: asleep}\n')
    const rejected = await run(['connect', 'apply', '-f', 'bad.yaml', '--url', info.urls.join(',')])
    assert.equal(rejected.code, 2, 'an invalid manifest is a usage error')
    assert.match(rejected.stderr, /bad\.yaml:3 \(document 1\): spec\.state: must be running, paused or stopped, got "asleep" \[STEADFAST_ERR_MANIFEST\]/)

    // -f - reads stdin; a Strimzi one-shot annotation is refused, naming it and what to run instead.
    const piped = await runCli(['connect', 'apply', '-f', '-', '--dry-run', '--url', info.urls.join(','), '--state', join(dir, '.steadfast/connect-state.json')], { stdin: manifestYaml('spawned') + '---\n' + manifestYaml('piped') })
    assert.equal(piped.code, 1, piped.stderr)
    assert.match(piped.stdout, /^\+ create piped \(RUNNING\)$/m)
    assert.doesNotMatch(piped.stdout, /spawned/, 'already as declared')
    // A dry run that cannot reach the workers makes no plan: exit 2, never 1 ("there are changes").
    const unreachable = await runCli(['connect', 'apply', '-f', '-', '--dry-run', '--url', `http://127.0.0.1:${await closedPort()}`, '--timeout', '1s', '--state', join(dir, '.steadfast/connect-state.json')], { stdin: manifestYaml('piped') })
    assert.equal(unreachable.code, 2, unreachable.stderr)
    assert.match(unreachable.stderr, /^steadfast: connect apply --dry-run: no plan: .*ECONNREFUSED.* \[STEADFAST_ERR_DRY_RUN\]\n$/)
    assert.equal(unreachable.stdout, '')
    const annotated = manifestYaml('spawned').replace('  name: spawned\n', '  name: spawned\n  annotations:\n    strimzi.io/restart: "true"\n')
    const refused = await runCli(['connect', 'apply', '-f', '-', '--url', info.urls.join(',')], { stdin: annotated })
    assert.equal(refused.code, 2)
    assert.match(refused.stderr, /stdin \(document 1\): metadata\.annotations\.strimzi\.io\/restart: a one-shot Strimzi operator request, refused by connect apply, which may run again and again: run `steadfast connect restart <name>` instead/)

    child.kill('SIGTERM')
    assert.equal(await exited, 0)
  })
})
