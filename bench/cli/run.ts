/**
 * Start-up time of the CLI, the 300 ms goal of `steadfast --version` and `--help`: each command run
 * `rounds` times through bin/steadfast, as the compiled build (what a checkout runs after set-up)
 * and from the TypeScript sources through tsx (STEADFAST_FROM_SOURCE=1, what the tests run), side by
 * side with the ratio; then, for scale, what any Node program and kcat take to start (`node -e 0`,
 * `kcat -V`, when kcat is installed). Run: node --import tsx bench/cli/run.ts [rounds]
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../../bin/steadfast', import.meta.url))
const rounds = Number(process.argv[2] ?? 7)
const commands = [['--version'], ['--help'], ['topics', '--help'], ['produce', '--help']]

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? NaN
}

function time (args: string[], env: Record<string, string>, file = BIN): number {
  const times: number[] = []
  for (let i = 0; i < rounds; i++) {
    const start = performance.now()
    execFileSync(file, args, { env: { ...process.env, ...env }, stdio: 'ignore' })
    times.push(performance.now() - start)
  }
  return median(times)
}

console.log(`steadfast start-up, median of ${rounds} runs (ms)`)
console.log('command'.padEnd(22) + 'compiled'.padStart(10) + 'sources'.padStart(10) + 'ratio'.padStart(8))
for (const args of commands) {
  const compiled = time(args, {})
  const sources = time(args, { STEADFAST_FROM_SOURCE: '1' })
  console.log(args.join(' ').padEnd(22) + compiled.toFixed(0).padStart(10) + sources.toFixed(0).padStart(10) + (sources / compiled).toFixed(1).padStart(8))
}
console.log('baselines'.padEnd(22) + 'ms'.padStart(10))
console.log('node -e 0'.padEnd(22) + time(['-e', '0'], {}, process.execPath).toFixed(0).padStart(10))
try {
  console.log('kcat -V'.padEnd(22) + time(['-V'], {}, 'kcat').toFixed(0).padStart(10))
} catch {
  console.log('kcat -V'.padEnd(22) + 'not installed'.padStart(14))
}
