/**
 * `steadfast testkit proxy`: runs a chaos proxy in front of a cluster in the foreground, prints
 * its bootstrap list, reads control commands on stdin (see ../proxy-commands.ts) and answers each
 * with one JSON line, and stops cleanly on Ctrl-C (SIGINT) or SIGTERM with exit code 0. The end
 * of stdin only ends the commands; the proxy keeps running.
 */
import type { Command } from 'commander'
import { createInterface } from 'node:readline'
import { ChaosProxy } from '../../testkit/chaos-proxy/chaos-proxy.ts'
import { waitForStopSignal } from '../foreground.ts'
import { parseStreamOutput, renderTable, type OutputFormat } from '../options.ts'
import { runProxyCommand } from '../proxy-commands.ts'

interface ProxyCliOptions {
  upstream: string
  output: OutputFormat
}

function describe (proxy: ChaosProxy): string {
  return [
    `Chaos proxy running in front of ${proxy.brokers.length} broker(s)`,
    '',
    `bootstrap servers: ${proxy.bootstrap}`,
    '',
    renderTable(proxy.brokers, ['id', 'host', 'port', 'upstream']).trimEnd(),
    '',
    'Commands (one a line on stdin; each answered with a JSON line):',
    '  move [<broker>]   reset [<broker>]   blackhole [broker=<id>] [api=<key>]',
    '  latency <ms> [broker=<id>]   drop api=<key> [broker=<id>]   heal   stats   brokers',
    '',
    'Press Ctrl-C to stop.',
    '',
  ].join('\n')
}

async function run (options: ProxyCliOptions): Promise<void> {
  const proxy = await ChaosProxy.start({ upstream: options.upstream })
  const stopped = waitForStopSignal()
  process.stdout.write(options.output === 'json' ? JSON.stringify({ bootstrap: proxy.bootstrap, brokers: proxy.brokers }) + '\n' : describe(proxy))
  const commands = createInterface({ input: process.stdin, terminal: false })
  // One command at a time, in order, so a script can rely on each reply before the next line.
  let chain = Promise.resolve()
  commands.on('line', (line) => {
    chain = chain.then(async () => {
      const reply = await runProxyCommand(proxy, line)
      if (reply !== undefined) process.stdout.write(JSON.stringify(reply) + '\n')
    })
  })
  const signal = await stopped
  commands.close()
  await chain
  await proxy.close()
  if (options.output !== 'json') process.stdout.write(`Stopped on ${signal}.\n`)
}

export function register (testkit: Command): void {
  testkit.command('proxy')
    .description('Run a Kafka-aware chaos proxy in front of a cluster and control it from stdin')
    .requiredOption('--upstream <host:port[,host:port]>', 'bootstrap servers of the cluster to proxy')
    .option('-o, --output <format>', 'table or json', parseStreamOutput, 'table' as const)
    .action(async (options: ProxyCliOptions) => run(options))
}
