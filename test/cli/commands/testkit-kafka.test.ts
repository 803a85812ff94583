/**
 * `steadfast testkit kafka` as a user runs it: through bin/steadfast, in the foreground, reached
 * with kcat and plain HTTP at what it prints, stopped with Ctrl-C; and failing with the reason
 * when a broker dies under it. Its JVMs are found as the CLI's child processes.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { consume, isAlive, metadata, produce } from '../../testkit/mock-cluster/support.ts'
import { exitOf, nextLine, runForeground, type ForegroundRun } from '../../support/foreground-cli.ts'

function runCli (t: { after: (fn: () => void) => void }, args: string[]): ForegroundRun {
  return runForeground(t, ['testkit', 'kafka', ...args])
}

/** The CLI's child processes: pid and command line (NUL-separated arguments joined by spaces). */
function childrenOf (parent: number): Array<{ pid: number, cmdline: string }> {
  const children: Array<{ pid: number, cmdline: string }> = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid === parent) children.push({ pid: Number(entry), cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ') })
    } catch {
      // the process ended while the list was read
    }
  }
  return children
}

const jvmsOf = (parent: number): Array<{ pid: number, cmdline: string }> =>
  childrenOf(parent).filter((c) => / (kafka\.Kafka|org\.apache\.kafka\.connect\.cli\.ConnectDistributed) /.test(c.cmdline))

describe('steadfast testkit kafka', () => {
  test('prints the bootstrap servers and Connect URLs; kcat and HTTP work there; Ctrl-C stops it and its JVMs', async (t) => {
    const run = runCli(t, ['--brokers', '1', '--connect-workers', '1', '--topic', 'cli-demo:1:1'])
    const text: string[] = []
    while (!text.includes('Press Ctrl-C to stop.')) text.push(await nextLine(run))
    const bootstrap = text.find((l) => l.startsWith('bootstrap servers (PLAINTEXT): '))?.slice('bootstrap servers (PLAINTEXT): '.length) ?? ''
    assert.match(bootstrap, /^127\.0\.0\.1:\d+$/)
    assert.ok(text.includes(`  kcat -b ${bootstrap} -L`))
    assert.ok(text.includes(`  echo hello | kcat -b ${bootstrap} -P -t cli-demo`))
    const connectAt = text.findIndex((l) => /^Kafka Connect: 1 worker\(s\) in group steadfast-connect-/.test(l))
    assert.ok(connectAt > 0, text.join('\n'))
    const url = text[connectAt + 1]?.trim() ?? ''
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)

    const md = await metadata(bootstrap, 'cli-demo')
    assert.equal(md.brokers.length, 1)
    assert.equal(md.topics[0]?.partitions.length, 1)
    assert.equal((await produce(bootstrap, 'cli-demo', 0, ['hello', 'world'])).code, 0)
    assert.deepEqual(await consume(bootstrap, 'cli-demo', 0), ['0:hello', '1:world'])
    const root = await fetch(`${url}/`)
    assert.equal(root.status, 200)
    assert.match(((await root.json()) as { version: string }).version, /^\d+\.\d+\.\d+$/)
    assert.deepEqual(await (await fetch(`${url}/connectors`)).json(), [])

    const jvms = jvmsOf(run.child.pid as number)
    assert.equal(jvms.filter((j) => j.cmdline.includes(' kafka.Kafka ')).length, 1)
    assert.equal(jvms.filter((j) => j.cmdline.includes('ConnectDistributed')).length, 1)
    run.child.kill('SIGINT')
    assert.deepEqual(await exitOf(run.child), [0, null])
    assert.equal(await nextLine(run), 'Stopped on SIGINT.')
    assert.deepEqual(jvms.filter((j) => isAlive(j.pid)), [])
  })

  test('a broker that dies under it makes it exit 1 naming the node', async (t) => {
    const run = runCli(t, ['--brokers', '1', '--output', 'json'])
    const info = JSON.parse(await nextLine(run)) as { bootstrap: string, brokers: Array<{ id: number }>, connect: unknown }
    assert.deepEqual(info.brokers.map((b) => b.id), [1])
    assert.equal(info.connect, null)
    const [broker] = jvmsOf(run.child.pid as number)
    assert.ok(broker !== undefined)
    process.kill(broker.pid, 'SIGKILL')
    assert.deepEqual(await exitOf(run.child), [1, null])
    assert.match(run.stderr(), /steadfast: the real Kafka rig stopped unexpectedly: node 1 exited \(SIGKILL\); log: .*server\.log \[STEADFAST_ERR_REAL_CLUSTER_UNAVAILABLE\]/)
  })
})
