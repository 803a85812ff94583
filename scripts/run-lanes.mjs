// Runs test files in two lanes at once, each a `node --test` of its own: the files that start real
// Kafka or Kafka Connect JVMs (their path names them "real": test/real/…, real-*.test.ts,
// *-real.test.ts), and every other file; two files at a time in each. The real-Kafka files spend
// most of their time waiting for brokers (elections, fencing, session timeouts), so they share
// the two cores with the CPU-bound rest; more than two clusters at once would slow every timing
// in them. Each lane's output is printed whole when the lane ends (never interleaved),
// and the exit code is non-zero when any lane failed. Each test file has STEADFAST_TEST_TIMEOUT ms
// (node's --test-timeout; default 10 minutes, several times the longest file): a hang fails that
// file, with its name, instead of eating CI's time. Arguments: the test files; with --list
// first, only prints each file's lane ("<lane>\t<file>" lines), which test/lanes.test.ts checks.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'

const REAL = /(^|[/-])real([/.-]|$)/
const list = process.argv[2] === '--list'
const files = process.argv.slice(list ? 3 : 2)
/** A whole number ≥ 1 from the environment (files run at once in a lane, a timeout), else `fallback`. */
function positive (variable, fallback) {
  const value = Number(process.env[variable] ?? fallback)
  if (Number.isInteger(value) && value >= 1) return value
  console.error(`[test] ${variable}: "${process.env[variable]}" is not a whole number ≥ 1`)
  process.exit(2)
}
const lanes = [
  { name: 'real Kafka', files: files.filter((f) => REAL.test(f)), concurrency: positive('STEADFAST_REAL_CONCURRENCY', 2) },
  { name: 'the rest', files: files.filter((f) => !REAL.test(f)), concurrency: positive('STEADFAST_REST_CONCURRENCY', 2) },
].filter((lane) => lane.files.length > 0)
const testTimeout = positive('STEADFAST_TEST_TIMEOUT', 600_000)

/**
 * A file that says `steadfast-test: alone` runs after the rest of its lane, by itself: for a test
 * known to fail beside another file, until that is understood (the file says why).
 */
const ALONE = 'steadfast-test: alone'
const isAlone = (file) => readFileSync(file, 'utf8').includes(ALONE)

/** One `node --test` of `files`; resolves with its exit code (or signal) once its output is in `output`. */
function nodeTest (files, concurrency, output) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, `--test-timeout=${testTimeout}`, '--test-reporter=spec', ...files], { stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.on('data', (chunk) => output.push(chunk))
    child.stderr.on('data', (chunk) => output.push(chunk))
    child.on('close', (code, signal) => { resolve(signal ?? code) })
    // A run that cannot start (no node, no tsx) fails the lane instead of hanging it.
    child.on('error', (error) => { output.push(Buffer.from(`${error.message}\n`)) })
    process.once('SIGTERM', () => child.kill('SIGTERM'))
    process.once('SIGINT', () => child.kill('SIGINT'))
  })
}

async function run (lane) {
  const started = Date.now()
  const output = []
  const together = lane.files.filter((f) => !isAlone(f))
  const after = lane.files.filter((f) => isAlone(f))
  const ends = []
  if (together.length > 0) ends.push(await nodeTest(together, lane.concurrency, output))
  // The files that run alone go after the others, one at a time.
  if (after.length > 0) ends.push(await nodeTest(after, 1, output))
  const seconds = Math.round((Date.now() - started) / 1000)
  const aloneNote = after.length === 0 ? '' : ` (${after.length} alone after the others)`
  process.stdout.write(`\n[test] lane "${lane.name}": ${lane.files.length} file(s), ${lane.concurrency} at a time${aloneNote}, ${seconds} s, ${ends.map((e) => typeof e === 'number' ? `exit code ${e}` : e).join(' then ')}\n`)
  process.stdout.write(Buffer.concat(output))
  return { lane, ok: ends.every((e) => e === 0) }
}

if (list) {
  // One write, and no process.exit: a process that exits at once may cut off what it has written.
  process.stdout.write(lanes.flatMap((lane) => lane.files.map((file) => `${lane.name}\t${file}\n`)).join(''))
} else {
  const results = await Promise.all(lanes.map(run))
  const failed = results.filter((r) => !r.ok).map((r) => `"${r.lane.name}"`)
  process.stdout.write(failed.length === 0 ? '\n[test] every lane passed\n' : `\n[test] failed: ${failed.join(', ')} (their failing tests are listed at the end of each lane's output above)\n`)
  process.exitCode = failed.length === 0 ? 0 : 1
}
