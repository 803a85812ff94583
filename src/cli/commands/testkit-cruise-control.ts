/**
 * `steadfast testkit cruise-control`: runs the Cruise Control simulator in the foreground on
 * 127.0.0.1, prints its URL, and stops cleanly on Ctrl-C (SIGINT) or SIGTERM with exit code 0.
 */
import type { Command } from 'commander'
import { CruiseControlSimulator } from '../../testkit/cruise-control-sim/simulator.ts'
import { waitForStopSignal } from '../foreground.ts'
import { integerOption, parseDuration, parseStreamOutput, type OutputFormat } from '../options.ts'

interface SimulatorCliOptions {
  port: number
  maxActiveUserTasks: number
  scanInterval: number
  maxBlock: number
  proposalTime: number
  warmup: number
  executionTick: number
  movementsPerTick: number
  brokers: number
  output: OutputFormat
}

function duration (what: string) {
  return (text: string): number => parseDuration(text, what)
}

async function run (options: SimulatorCliOptions): Promise<void> {
  const sim = await CruiseControlSimulator.start({
    port: options.port,
    maxActiveUserTasks: options.maxActiveUserTasks,
    scanIntervalMs: Math.max(1, options.scanInterval),
    maxBlockTimeMs: options.maxBlock,
    proposalComputeMs: options.proposalTime,
    warmupMs: options.warmup,
    executionTickMs: options.executionTick,
    movementsPerTick: options.movementsPerTick,
    cluster: { brokers: options.brokers },
  })
  const stopped = waitForStopSignal()
  if (options.output === 'json') {
    process.stdout.write(JSON.stringify({ url: sim.url, port: sim.port, maxActiveUserTasks: options.maxActiveUserTasks, brokers: options.brokers }) + '\n')
  } else {
    process.stdout.write([
      `Cruise Control simulator listening on ${sim.url}/kafkacruisecontrol/`,
      `max.active.user.tasks=${options.maxActiveUserTasks}, scanner every ${options.scanInterval} ms, requests block up to ${options.maxBlock} ms`,
      `cluster: ${options.brokers} brokers (the last one empty), ${sim.model.partitions.length} partitions`,
      '',
      'Try it:',
      `  steadfast cc state --url ${sim.url}`,
      `  steadfast rebalance create --mode full --name demo --url ${sim.url}`,
      '',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'))
  }
  const signal = await stopped
  await sim.stop()
  if (options.output !== 'json') {
    process.stdout.write(`Stopped on ${signal} (${sim.requests.length} requests, ${sim.capacityRejections} refused for capacity, at most ${sim.maxInFlight} in flight).\n`)
  }
}

export function register (testkit: Command): void {
  testkit.command('cruise-control')
    .description('Run the Cruise Control REST simulator in the foreground on 127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', integerOption('--port', 0, 65535), 9090)
    .option('--max-active-user-tasks <n>', 'max.active.user.tasks', integerOption('--max-active-user-tasks', 1, 1000), 5)
    .option('--scan-interval <duration>', 'how often finished user tasks free their slot', duration('--scan-interval'), 5000)
    .option('--max-block <duration>', 'webserver.request.maxBlockTimeMs: wait before answering 202', duration('--max-block'), 10_000)
    .option('--proposal-time <duration>', 'how long computing a proposal takes', duration('--proposal-time'), 200)
    .option('--warmup <duration>', 'answer NotEnoughValidWindowsException this long after start', duration('--warmup'), 0)
    .option('--execution-tick <duration>', 'time between execution steps', duration('--execution-tick'), 500)
    .option('--movements-per-tick <n>', 'partition movements finished per execution step', integerOption('--movements-per-tick', 1, 100_000), 5)
    .option('--brokers <n>', 'brokers in the simulated cluster', integerOption('--brokers', 2, 100), 4)
    .option('-o, --output <format>', 'table or json', parseStreamOutput, 'table' as const)
    .action(async (options: SimulatorCliOptions) => run(options))
}
