/**
 * `steadfast produce` next to `kcat -P` (librdkafka, Debian's build), each reading the same file of
 * newline-separated lines on its stdin and writing them to a fresh topic of the same mock cluster
 * (3 brokers, 6 partitions), acks=all and idempotent on both sides. The time is the whole process,
 * start-up included, as a user runs it; steadfast runs as bin/steadfast does (the compiled dist/
 * when it is current). Each run's records are counted afterwards (the sum of the partitions' high
 * watermarks); a short count fails the benchmark. Runs alternate in order; medians and the ratios,
 * by the wall clock and by the CPU time each process used (bash's `times`), since on a loaded machine
 * the wall clock of the process that needs more CPU stretches more.
 *
 * Run: node --import tsx bench/produce-cli/run.ts [lines] [value-bytes] [runs]
 * (STEADFAST_BIN=path runs another build of the CLI, e.g. one from before a change.)
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MockCluster } from '../../src/testkit/mock-cluster/mock-cluster.ts'
import { countRecords, median, spread } from '../producer/clients.ts'

const lines = Number(process.argv[2] ?? 1_000_000)
const valueBytes = Number(process.argv[3] ?? 100)
const runs = Number(process.argv[4] ?? 3)
const STEADFAST = process.env.STEADFAST_BIN ?? fileURLToPath(new URL('../../bin/steadfast', import.meta.url))
const PARTITIONS = 6

type Command = (bootstrap: string, topic: string) => [string, string[]]

const commands: Record<string, Command> = {
  'kcat -P': (bootstrap, topic) => ['kcat', ['-P', '-b', bootstrap, '-t', topic, '-X', 'acks=all', '-X', 'enable.idempotence=true']],
  'steadfast produce': (bootstrap, topic) => [STEADFAST, ['produce', '-b', bootstrap, '-t', topic, '--acks', 'all']],
}

/**
 * Runs one command with `file` as its stdin, through bash so that its `times` reports the CPU the
 * command used (user + system), which other load on the machine skews far less than the wall clock.
 */
async function timed ([command, args]: [string, string[]], file: string): Promise<{ wallMs: number, cpuMs: number }> {
  const start = performance.now()
  const child = spawn('bash', ['-c', '"$@" < "$INPUT"; code=$?; times >&2; exit $code', 'bash', command, ...args],
    { env: { ...process.env, INPUT: file, STEADFAST_LOG_LEVEL: 'error' }, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  const wallMs = performance.now() - start
  if (code !== 0) throw new Error(`${command} exited ${String(code)}: ${stderr.slice(0, 500)}`)
  // The last line of `times`: the children's user and system time, e.g. "0m1.234s 0m0.056s".
  const children = stderr.trim().split('\n').at(-1)?.match(/(\d+)m([\d.]+)s (\d+)m([\d.]+)s/)
  if (children == null) throw new Error(`no CPU times from bash: ${stderr.slice(-200)}`)
  const cpuMs = (Number(children[1]) * 60 + Number(children[2]) + Number(children[3]) * 60 + Number(children[4])) * 1000
  return { wallMs, cpuMs }
}

async function main (): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'steadfast-bench-produce-'))
  const file = join(dir, 'lines.txt')
  const line = 'x'.repeat(valueBytes) + '\n'
  writeFileSync(file, line.repeat(lines))
  const mock = await MockCluster.start({ brokers: 3 })
  let topics = 0
  const times = new Map<string, Array<{ wallMs: number, cpuMs: number }>>()
  try {
    for (let run = 0; run < runs; run++) {
      const names = Object.keys(commands)
      for (const name of run % 2 === 0 ? names : names.reverse()) {
        const topic = `produce-cli-${++topics}`
        await mock.createTopic({ name: topic, partitions: PARTITIONS, replicationFactor: 1 })
        const time = await timed(commands[name](mock.bootstrap, topic), file)
        const counted = await countRecords(mock.bootstrap, topic)
        if (counted !== lines) throw new Error(`${name} run ${run + 1}: ${counted} records in ${topic}, expected ${lines}`)
        times.set(name, [...(times.get(name) ?? []), time])
      }
    }
  } finally {
    await mock.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  console.log(`${lines} lines of ${valueBytes} B on stdin, acks=all, idempotent, ${PARTITIONS} partitions on a 3-broker mock cluster, ${runs} runs each (counts checked); process start included`)
  console.log('command              wall ms (median, spread)    CPU ms (median, spread)   lines/s (wall)  lines per CPU-s')
  for (const [name, runs] of times) {
    const wall = runs.map((r) => r.wallMs)
    const cpu = runs.map((r) => r.cpuMs)
    console.log(`${name.padEnd(20)} ${median(wall).toFixed(0).padStart(7)}  ${spread(wall).padEnd(17)}  ${median(cpu).toFixed(0).padStart(7)}  ${spread(cpu).padEnd(15)}  ${(lines / median(wall) * 1000).toFixed(0).padStart(14)}  ${(lines / median(cpu) * 1000).toFixed(0).padStart(15)}`)
  }
  const ours = times.get('steadfast produce') ?? []
  const theirs = times.get('kcat -P') ?? []
  const ratio = (pick: (r: { wallMs: number, cpuMs: number }) => number): string => (median(theirs.map(pick)) / median(ours.map(pick))).toFixed(2)
  console.log(`ratio steadfast/kcat throughput: wall ${ratio((r) => r.wallMs)}x, per CPU-second ${ratio((r) => r.cpuMs)}x (goal: wall at least 0.5x)`)
}

await main()
