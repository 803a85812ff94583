/**
 * `steadfast testkit cluster`: runs a librdkafka mock cluster in the foreground, prints how to
 * reach it, and stops it cleanly on Ctrl-C (SIGINT) or SIGTERM with exit code 0. If the helper dies
 * on its own, the command fails with its reason.
 */
import type { Command } from 'commander'
import { MockCluster } from '../../testkit/mock-cluster/mock-cluster.ts'
import { MockClusterUnavailableError } from '../../testkit/mock-cluster/errors.ts'
import { parseTopicSpec, type TopicSpec } from '../../testkit/mock-cluster/topic-spec.ts'
import { InvalidArgumentError } from '../../resilience/errors.ts'
import { waitForStopSignal } from '../foreground.ts'
import { parseStreamOutput, renderTable, type OutputFormat } from '../options.ts'

interface ClusterOptions {
  brokers: number
  topic: TopicSpec[]
  output: OutputFormat
  binary?: string
}

function parseBrokers (text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 64) {
    throw new InvalidArgumentError(`--brokers: "${text}" is not a broker count (an integer from 1 to 64)`)
  }
  return Number(text)
}

function describe (cluster: MockCluster, topics: TopicSpec[]): string {
  const bootstrap = cluster.bootstrap
  const demo = topics[0]?.name ?? 'test'
  return [
    `Mock Kafka cluster running: librdkafka ${cluster.librdkafkaVersion}, ${cluster.brokers.length} broker(s), helper pid ${cluster.pid}`,
    '',
    `bootstrap servers: ${bootstrap}`,
    '',
    renderTable(cluster.brokers.map((b) => ({ ...b })), ['id', 'host', 'port']).trimEnd(),
    ...(topics.length > 0 ? ['', 'topics: ' + topics.map((t) => t.name).join(', ')] : []),
    '',
    'Try it with kcat:',
    `  kcat -b ${bootstrap} -L`,
    `  echo hello | kcat -b ${bootstrap} -P -t ${demo}`,
    `  kcat -b ${bootstrap} -C -t ${demo} -o beginning -e`,
    '',
    'Press Ctrl-C to stop.',
    '',
  ].join('\n')
}

async function run (options: ClusterOptions): Promise<void> {
  const start: Parameters<typeof MockCluster.start>[0] = { brokers: options.brokers, topics: options.topic }
  if (options.binary !== undefined) start.binary = options.binary
  const cluster = await MockCluster.start(start)
  // So that consumer groups form on it (`steadfast consume -G`, any client negotiating the newest versions).
  try {
    await cluster.capGroupApis()
  } catch (error) {
    await cluster.stop()
    throw error
  }
  let stopSignal: NodeJS.Signals | undefined
  const signalled = waitForStopSignal().then((signal) => { stopSignal = signal })
  if (options.output === 'json') {
    const info = { bootstrap: cluster.bootstrap, brokers: cluster.brokers, pid: cluster.pid, librdkafka: cluster.librdkafkaVersion, topics: options.topic }
    process.stdout.write(JSON.stringify(info) + '\n')
  } else {
    process.stdout.write(describe(cluster, options.topic))
  }
  const exited = cluster.exited()
  await Promise.race([signalled, exited])
  if (stopSignal === undefined) {
    throw new MockClusterUnavailableError(`the mock cluster stopped unexpectedly: ${await exited}`)
  }
  await cluster.stop()
  if (options.output !== 'json') process.stdout.write(`Stopped on ${stopSignal}.\n`)
}

export function register (testkit: Command): void {
  testkit.command('cluster')
    .description('Run a librdkafka mock Kafka cluster in the foreground and print its bootstrap servers')
    .option('--brokers <count>', 'number of brokers (1 to 64)', parseBrokers, 3)
    .option('--topic <name:partitions:rf>', 'create a topic (repeatable), e.g. orders:3:3',
      (text: string, previous: TopicSpec[]) => [...previous, parseTopicSpec(text)], [] as TopicSpec[])
    .option('-o, --output <format>', 'table or json', parseStreamOutput, 'table' as const)
    .option('--binary <path>', 'the mock-cluster helper (default: $STEADFAST_MOCK_CLUSTER_BIN or build/steadfast-mock-cluster)')
    .action(async (options: ClusterOptions) => run(options))
}
