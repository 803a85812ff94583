/**
 * Incident I1, measured: 100 declared connectors applied while the Connect worker group goes
 * through a rebalance storm. For the same storm against the same simulator, side by side:
 * steadfast's Connect policy (200 ms doubling, capped at 5 s, equal jitter, 30 attempts, 60 s
 * deadline) and a Strimzi-like schedule (200 ms doubling without cap or jitter, 10 attempts, no
 * deadline, each write on its own: no rebalance gate), and steadfast's apply of the same connectors without a storm. Printed: requests
 * issued (and how many were 409s), time to converge, next to the storm length, and issue 18's
 * target (converged within the storm's end + 2 s, at most 1.5× the requests of the storm-free
 * apply). Run: node --import tsx bench/connect/run.ts [stormSeconds] [connectors]
 */
import { GAP_MS, REBALANCE_MS, stormApply, type StormApply } from './storm.ts'

const stormMs = Number(process.argv[2] ?? 10) * 1000
const count = Number(process.argv[3] ?? 100)

const outcomes: Array<[string, StormApply]> = [
  ['steadfast (Connect default policy)', await stormApply({ count, stormMs })],
  ['Strimzi-like schedule', await stormApply({ count, stormMs, policy: { initialDelayMs: 200, multiplier: 2, maxDelayMs: 102_400, jitter: 'none', maxAttempts: 10, deadlineMs: undefined }, rebalanceProbeMs: false })],
  ['steadfast, no storm', await stormApply({ count, stormMs: 0 })],
]

console.log(`${count} connectors, rebalance storm of ${stormMs / 1000} s (rebalances of ${REBALANCE_MS} ms, ${GAP_MS} ms apart), 3 workers`)
console.log(['approach'.padEnd(36), 'ready', 'converge s', 'vs storm', 'after storm s', 'requests', '409s', 'max writes/connector'].join('  '))
for (const [name, o] of outcomes) {
  console.log([name.padEnd(36), String(o.ready).padEnd(5), (o.ms / 1000).toFixed(2).padStart(10), `${(o.ms / stormMs).toFixed(2)}x`.padStart(8),
    (o.afterStormMs / 1000).toFixed(2).padStart(13), String(o.requests).padStart(8), String(o.conflicts).padStart(4), String(o.maxInFlight).padStart(20)].join('  '))
}
const [[, ours], [, theirs], [, quiet]] = outcomes as [[string, StormApply], [string, StormApply], [string, StormApply]]
console.log(`ratio steadfast / Strimzi-like: time ${(ours.ms / theirs.ms).toFixed(2)}, requests ${(ours.requests / theirs.requests).toFixed(2)}`)
const ratio = ours.requests / quiet.requests
console.log(`issue 18's target: converged ${(ours.afterStormMs / 1000).toFixed(2)} s after the storm's end (at most 2 s: ${ours.ready && ours.afterStormMs <= 2000 ? 'met' : 'NOT met'}); ` +
  `requests ${ratio.toFixed(2)}× the storm-free apply's (at most 1.5×: ${ratio <= 1.5 ? 'met' : 'NOT met'})`)
