/**
 * CLI smoke tests for `steadfast rebalance …`, `steadfast cc …` and `steadfast testkit
 * cruise-control`. The command groups run in-process against a simulator (fast); the simulator
 * command runs as a real process to check that it prints its URL and stops cleanly on SIGTERM.
 */
import { describe, test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Command } from 'commander'
import { parse as parseYaml, parseAllDocuments } from 'yaml'
import { register as registerCc } from '../../../src/cli/commands/cc.ts'
import { progressBar, register as registerRebalance } from '../../../src/cli/commands/rebalance.ts'
import type { RebalanceRecord } from '../../../src/cruise-control/lifecycle.ts'
import { startSim, tempDir } from '../../cruise-control/fixtures.ts'
import { runCli } from '../../support/run-cli.ts'
import { runInTerminal } from '../../support/run-in-terminal.ts'

async function cli (t: TestContext, args: string[]): Promise<string> {
  const program = new Command('steadfast').exitOverride()
  registerRebalance(program.command('rebalance'))
  registerCc(program.command('cc'))
  let out = ''
  t.mock.method(process.stdout, 'write', (chunk: string | Uint8Array) => { out += String(chunk); return true })
  try {
    await program.parseAsync(args, { from: 'user' })
  } finally {
    t.mock.restoreAll()
  }
  return out
}

describe('steadfast rebalance and cc (in-process)', () => {
  test('create --mode → approve → status --watch → list, in JSON and tables', async (t) => {
    process.env.STEADFAST_LOG_LEVEL ??= 'silent'
    const sim = await startSim()
    const { dir, cleanup } = await tempDir()
    t.after(async () => { await sim.stop(); await cleanup() })
    const common = ['--url', sim.url, '--state-dir', dir, '--timeout', '20s']

    const created = JSON.parse(await cli(t, ['rebalance', 'create', '--mode', 'add-brokers', '--brokers', '3', '--name', 'grow', '--output', 'json', ...common])) as RebalanceRecord
    assert.equal(created.state, 'ProposalReady')
    assert.ok((created.proposal?.summary.numReplicaMovements ?? 0) > 0)

    const approved = await cli(t, ['rebalance', 'approve', 'grow', ...common])
    assert.match(approved, /grow\s+add-brokers\s+Rebalancing/)

    const watched = await cli(t, ['rebalance', 'status', 'grow', '--watch', '--interval', '50ms', '--output', 'json', ...common])
    const lines = watched.trim().split('\n')
    const final = JSON.parse(lines.slice(lines.findIndex((l) => l.startsWith('{\n') || l === '{')).join('\n')) as RebalanceRecord
    assert.equal(final.state, 'Ready')
    assert.ok(lines.some((l) => l.startsWith('{"name":"grow","state":"Ready"')))

    const listed = await cli(t, ['rebalance', 'list', '--state-dir', dir])
    assert.match(listed, /^NAME\s+MODE\s+STATE/)
    assert.match(listed, /grow\s+add-brokers\s+Ready/)

    await assert.rejects(cli(t, ['rebalance', 'approve', 'grow', ...common]), /cannot approve in state Ready/)

    const state = await cli(t, ['cc', 'state', '--url', sim.url])
    assert.match(state, /executor\s+NO_TASK_IN_PROGRESS/)
    const tasks = JSON.parse(await cli(t, ['cc', 'user-tasks', '--url', sim.url, '--output', 'json', '--types', 'Completed'])) as { userTasks: Array<{ Status: string }> }
    assert.ok(tasks.userTasks.length > 0 && tasks.userTasks.every((u) => u.Status === 'Completed'))

    assert.match(await cli(t, ['rebalance', 'delete', 'grow', '--state-dir', dir]), /deleted grow/)
  })

  test('create -f reads a KafkaRebalance manifest; bad input is a clear error', async (t) => {
    const sim = await startSim()
    const { dir, cleanup } = await tempDir()
    t.after(async () => { await sim.stop(); await cleanup() })
    const common = ['--url', sim.url, '--state-dir', dir, '--timeout', '20s']
    const file = join(dir, 'rb.yaml')
    await writeFile(file, 'kind: KafkaRebalance\nmetadata:\n  name: from-file\nspec:\n  mode: full\n  excludedTopics: audit-log\n')
    const out = await cli(t, ['rebalance', 'create', '-f', file, '--auto-approve', '--output', 'json', ...common])
    const record = JSON.parse(out) as RebalanceRecord
    assert.ok(['Rebalancing', 'Ready'].includes(record.state), record.state)
    assert.equal(record.manifest.spec.autoApproval, true)

    await writeFile(file, 'kind: KafkaRebalance\nmetadata:\n  name: bad\nspec:\n  mode: add-brokers\n')
    await assert.rejects(cli(t, ['rebalance', 'create', '-f', file, ...common]), /rb\.yaml: invalid KafkaRebalance: spec\.brokers: required when mode is add-brokers/)
    await assert.rejects(cli(t, ['rebalance', 'create', ...common]), /give -f <file> or --mode/)
    await assert.rejects(cli(t, ['rebalance', 'create', '--mode', 'add-brokers', '--brokers', 'x', ...common]), /--brokers: "x" is not a broker id/)
    await assert.rejects(cli(t, ['rebalance', 'status', 'nope', ...common]), /rebalance nope does not exist/)
    await assert.rejects(cli(t, ['cc', 'state', '--url', sim.url, '--timeout', 'soon']), /--timeout: "soon" is not a duration/)
  })

  test('create exits non-zero when a rebalance ends NotReady; status --watch gives up after --timeout', async (t) => {
    const sim = await startSim()
    const warming = await startSim({ warmupMs: 60_000 })
    const { dir, cleanup } = await tempDir()
    t.after(async () => { await sim.stop(); await warming.stop(); await cleanup() })
    await assert.rejects(cli(t, ['rebalance', 'create', '--mode', 'add-brokers', '--brokers', '9', '--name', 'ghost', '--url', sim.url, '--state-dir', dir, '--timeout', '20s']),
      /rebalance ghost is NotReady: .*Broker 9 does not exist/)

    const common = ['--url', warming.url, '--state-dir', dir]
    await cli(t, ['rebalance', 'create', '--mode', 'full', '--name', 'warming', '--no-wait', ...common])
    await assert.rejects(cli(t, ['rebalance', 'status', 'warming', '--watch', '--interval', '20ms', '--timeout', '200ms', ...common]),
      /rebalance warming did not reach ProposalReady or Ready or NotReady or Stopped within 200 ms \(state PendingProposal\)/)
  })

  test('the progress bar shows partitions and data moved', () => {
    const record = { progress: { executorState: 'INTER_BROKER_REPLICA_MOVEMENT_TASK_IN_PROGRESS', partitionsMoved: 5, partitionsTotal: 20, dataMovedMB: 600, dataTotalMB: 2400, updatedAt: '' } } as unknown as RebalanceRecord
    assert.equal(progressBar(record, 8), '[##------] 5/20 partitions, 600/2400 MB')
    assert.equal(progressBar({} as RebalanceRecord), '')
  })
})

describe('steadfast testkit cruise-control (a real process)', () => {
  test('prints its URL, serves requests, and exits 0 on SIGTERM', async (t) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'testkit', 'cruise-control', '--port', '0', '--output', 'json'], {
      cwd: join(import.meta.dirname, '../../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, STEADFAST_LOG_LEVEL: 'silent' },
    })
    t.after(() => { if (child.exitCode === null) child.kill('SIGKILL') })
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    let out = ''
    const info = await new Promise<{ url: string }>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        const line = out.split('\n')[0]
        if (out.includes('\n')) resolve(JSON.parse(line) as { url: string })
      })
      child.once('exit', (code) => reject(new Error(`exited ${code} before printing its URL`)))
    })
    assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/)
    const res = await fetch(`${info.url}/kafkacruisecontrol/state?json=true`)
    assert.equal(res.status, 200)
    assert.ok(res.headers.get('user-task-id') !== null)
    await res.arrayBuffer()
    child.kill('SIGTERM')
    assert.equal(await exited, 0)
  })
})

describe('steadfast rebalance and cc print YAML like every command (the real CLI)', () => {
  test('-o yaml is the JSON result as YAML; --watch -o yaml prints one document per update', async (t) => {
    const sim = await startSim()
    const { dir, cleanup } = await tempDir()
    t.after(async () => { await sim.stop(); await cleanup() })
    const common = ['--url', sim.url, '--state-dir', dir, '--timeout', '20s']
    const run = async (args: string[]): Promise<string> => {
      const { code, stdout, stderr } = await runCli(args)
      assert.equal(code, 0, stderr)
      return stdout
    }

    const created = parseYaml(await run(['rebalance', 'create', '--mode', 'full', '--name', 'yaml', '-o', 'yaml', ...common])) as RebalanceRecord
    assert.equal(created.name, 'yaml')
    assert.equal(created.state, 'ProposalReady')
    const listed = parseYaml(await run(['rebalance', 'list', '-o', 'yaml', ...common])) as RebalanceRecord[]
    assert.deepEqual(listed, JSON.parse(await run(['rebalance', 'list', '-o', 'json', ...common])))
    assert.deepEqual(listed.map((r) => [r.name, r.state]), [['yaml', 'ProposalReady']])

    await run(['rebalance', 'approve', 'yaml', ...common])
    const watched = await run(['rebalance', 'status', 'yaml', '--watch', '--interval', '50ms', '-o', 'yaml', ...common])
    const documents = parseAllDocuments(watched).map((d) => d.toJS() as { name: string, state: string })
    assert.ok(documents.length >= 2, watched)
    assert.ok(documents.slice(0, -1).every((d) => d.name === 'yaml'), watched)
    assert.equal(documents.at(-1)?.state, 'Ready')

    assert.deepEqual(parseYaml(await run(['rebalance', 'delete', 'yaml', '-o', 'yaml', ...common])), { deleted: 'yaml' })
    const state = parseYaml(await run(['cc', 'state', '--url', sim.url, '-o', 'yaml'])) as { ExecutorState: { state: string } }
    assert.equal(state.ExecutorState.state, 'NO_TASK_IN_PROGRESS')
  })
})

describe('steadfast rebalance status --watch on a terminal', () => {
  test('the progress bar is the status line: every log line starts a line of its own, and the record follows', async (t) => {
    // The execution is held until the watching command has drawn its bar, so the bar and the log
    // lines of the execution's end share the screen however slowly the command starts.
    const sim = await startSim({ executionTickMs: 100, movementsPerTick: 1 })
    sim.holdExecutions(true)
    const { dir, cleanup } = await tempDir()
    t.after(async () => { await sim.stop(); await cleanup() })
    const common = ['--url', sim.url, '--state-dir', dir, '--timeout', '20s']
    assert.equal((await runCli(['rebalance', 'create', '--mode', 'full', '--name', 'bar', ...common])).code, 0)
    assert.equal((await runCli(['rebalance', 'approve', 'bar', ...common])).code, 0)
    const released = (screen: string): void => { if (/Rebalancing \[[#-]{20}\]/.test(screen)) sim.holdExecutions(false) }
    const { code, screen } = await runInTerminal(['rebalance', 'status', 'bar', '--watch', '--interval', '50ms', '--verbose', ...common], { STEADFAST_LOG_LEVEL: undefined }, released)
    assert.equal(code, 0, screen)
    const segments = screen.replaceAll('\r\u001b[2K', '\n').split('\n')
    const logs = segments.filter((l) => / (INFO|WARN) /.test(l))
    assert.ok(logs.length > 0, screen)
    for (const line of logs) assert.match(line, /^\d\d:\d\d:\d\d\.\d{3} (INFO|WARN) /, `a log line inside the bar: ${JSON.stringify(line)}`)
    assert.ok(segments.some((l) => /^Rebalancing \[[#-]{20}\] \d+\/\d+ partitions/.test(l)), screen)
    assert.match(screen, /\nbar\s+full\s+Ready/)
  })
})
