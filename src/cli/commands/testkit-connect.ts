/**
 * `steadfast testkit connect`: runs the Kafka Connect simulator in the foreground, its workers on
 * consecutive ports of 127.0.0.1 from --port (0: ephemeral), prints their URLs, and stops cleanly
 * on Ctrl-C (SIGINT) or SIGTERM with exit code 0.
 */
import type { Command } from 'commander'
import { ConnectSimulator } from '../../testkit/connect-sim/simulator.ts'
import { waitForStopSignal } from '../foreground.ts'
import { integerOption, parseDuration, parseStreamOutput, type OutputFormat } from '../options.ts'

interface ConnectSimCliOptions {
  workers: number
  port: number
  rebalanceTime: number
  restartTime: number
  output: OutputFormat
}

async function run (options: ConnectSimCliOptions): Promise<void> {
  const sim = await ConnectSimulator.start({ workers: options.workers, port: options.port, rebalanceMs: options.rebalanceTime, restartMs: options.restartTime })
  const stopped = waitForStopSignal()
  if (options.output === 'json') {
    process.stdout.write(JSON.stringify({ urls: sim.urls, leader: sim.leaderUrl, rebalanceMs: options.rebalanceTime }) + '\n')
  } else {
    process.stdout.write([
      `Kafka Connect simulator: ${sim.workers.length} workers in one group (rebalances last ${options.rebalanceTime} ms)`,
      ...sim.workers.map((w) => `  ${w.url}${w.url === sim.leaderUrl ? '  (leader)' : ''}`),
      '',
      'Try it:',
      `  steadfast connect plugins --url ${sim.urls.join(',')}`,
      `  steadfast connect apply -f connectors/ --wait --url ${sim.urls.join(',')}`,
      '',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'))
  }
  const signal = await stopped
  await sim.stop()
  if (options.output !== 'json') process.stdout.write(`Stopped on ${signal} (${sim.requests.length} requests answered, ${sim.group.rebalances} rebalances).\n`)
}

export function register (testkit: Command): void {
  testkit.command('connect')
    .description('Run the Kafka Connect REST simulator (a worker group) in the foreground on 127.0.0.1')
    .option('--workers <n>', 'workers in the group', integerOption('--workers', 1, 64), 3)
    .option('--port <port>', 'port of the first worker; the others use the next ports (0: ephemeral)', integerOption('--port', 0, 65535), 8083)
    .option('--rebalance-time <duration>', 'how long a rebalance lasts', (t: string) => parseDuration(t, '--rebalance-time'), 500)
    .option('--restart-time <duration>', 'how long restarted instances show RESTARTING', (t: string) => parseDuration(t, '--restart-time'), 200)
    .option('-o, --output <format>', 'table or json', parseStreamOutput, 'table' as const)
    .action(async (options: ConnectSimCliOptions) => run(options))
}
