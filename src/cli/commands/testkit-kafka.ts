/**
 * `steadfast testkit kafka`: runs real Apache Kafka (KRaft JVMs from the rig's Maven jars) and,
 * with --connect-workers, a Kafka Connect worker group on it, in the foreground; prints how to
 * reach them, and stops everything cleanly on Ctrl-C (SIGINT) or SIGTERM with exit code 0. If a
 * broker, controller or worker dies on its own, the command stops the rest and fails with which one.
 */
import type { Command } from 'commander'
import { parseTopicSpec, type TopicSpec } from '../../testkit/mock-cluster/topic-spec.ts'
import { RealClusterUnavailableError } from '../../testkit/real-cluster/errors.ts'
import { RealCluster, type RealClusterOptions } from '../../testkit/real-cluster/real-cluster.ts'
import { RealConnect } from '../../testkit/real-cluster/real-connect.ts'
import { waitForStopSignal } from '../foreground.ts'
import { integerOption, parseStreamOutput, renderTable, type OutputFormat } from '../options.ts'

interface KafkaCliOptions {
  brokers: number
  controllers: number
  connectWorkers: number
  kafkaVersion?: string
  sasl: boolean
  topic: TopicSpec[]
  output: OutputFormat
}

/** What the command prints as JSON, and what the table output is made from. */
function info (cluster: RealCluster, connect: RealConnect | undefined, topics: TopicSpec[]): Record<string, unknown> {
  return {
    kafkaVersion: cluster.kafkaVersion,
    clusterId: cluster.clusterId,
    bootstrap: cluster.bootstrap,
    ...(cluster.caFile === undefined ? {} : { saslBootstrap: cluster.saslBootstrap, caFile: cluster.caFile, saslUsers: cluster.saslUsers }),
    brokers: cluster.brokers,
    topics,
    connect: connect === undefined ? null : { groupId: connect.groupId, urls: connect.urls },
  }
}

function describe (cluster: RealCluster, connect: RealConnect | undefined, topics: TopicSpec[]): string {
  const bootstrap = cluster.bootstrap
  const demo = topics[0]?.name ?? 'test'
  const dedicated = cluster.nodeIds.length - cluster.brokers.length
  const lines = [
    `Real Apache Kafka ${cluster.kafkaVersion} running (KRaft, cluster id ${cluster.clusterId}): ${cluster.brokers.length} broker(s)` +
      (dedicated > 0 ? `, ${dedicated} dedicated controller(s)` : ', each also a controller'),
    '',
    `bootstrap servers (PLAINTEXT): ${bootstrap}`,
  ]
  const [user, password] = Object.entries(cluster.saslUsers ?? {})[0] ?? []
  if (cluster.caFile !== undefined) {
    lines.push(
      `bootstrap servers (SASL_SSL): ${cluster.saslBootstrap}`,
      `  CA file: ${cluster.caFile}`,
      `  SCRAM-SHA-256/512 users: ${Object.entries(cluster.saslUsers ?? {}).map(([u, p]) => `${u} (password ${p})`).join(', ')}`)
  }
  lines.push('', renderTable(cluster.brokers.map((b) => ({ ...b })), ['id', 'host', 'port', ...(cluster.caFile === undefined ? [] : ['saslPort'])]).trimEnd())
  if (topics.length > 0) lines.push('', 'topics: ' + topics.map((t) => t.name).join(', '))
  if (connect !== undefined) {
    lines.push('', `Kafka Connect: ${connect.urls.length} worker(s) in group ${connect.groupId}`, ...connect.urls.map((u) => `  ${u}`))
  }
  lines.push(
    '',
    'Try it with kcat:',
    `  kcat -b ${bootstrap} -L`,
    `  echo hello | kcat -b ${bootstrap} -P -t ${demo}`,
    `  kcat -b ${bootstrap} -C -t ${demo} -o beginning -e`)
  if (cluster.caFile !== undefined && user !== undefined && password !== undefined) {
    lines.push(`  kcat -b ${cluster.saslBootstrap} -X security.protocol=SASL_SSL -X sasl.mechanisms=SCRAM-SHA-512 -X sasl.username=${user} -X sasl.password=${password} -X ssl.ca.location=${cluster.caFile} -L`)
  }
  if (connect !== undefined) {
    lines.push(`  curl -s ${connect.urls[0] ?? ''}/connectors`, `  steadfast connect plugins --url ${connect.urls.join(',')}`)
  }
  lines.push('', 'Press Ctrl-C to stop.', '')
  return lines.join('\n')
}

async function run (options: KafkaCliOptions): Promise<void> {
  const start: RealClusterOptions = { brokers: options.brokers, controllers: options.controllers, sasl: options.sasl, topics: options.topic }
  if (options.kafkaVersion !== undefined) start.kafkaVersion = options.kafkaVersion
  const cluster = await RealCluster.start(start)
  let connect: RealConnect | undefined
  try {
    if (options.connectWorkers > 0) connect = await RealConnect.start({ cluster, workers: options.connectWorkers })
  } catch (error) {
    await cluster.stop()
    throw error
  }
  let stopSignal: NodeJS.Signals | undefined
  const signalled = waitForStopSignal().then((signal) => { stopSignal = signal })
  if (options.output === 'json') {
    process.stdout.write(JSON.stringify(info(cluster, connect, options.topic)) + '\n')
  } else {
    process.stdout.write(describe(cluster, connect, options.topic))
  }
  const died = Promise.race([cluster.unexpectedExit(), ...(connect === undefined ? [] : [connect.unexpectedExit()])])
  // The rig's JVMs do not hold Node's event loop (so a test that forgets one cannot hang); the
  // foreground command holds it itself until it is told to stop or a JVM dies.
  const keepAlive = setInterval(() => {}, 2 ** 30)
  let why: string | undefined
  try {
    why = await Promise.race([signalled.then(() => undefined), died])
  } finally {
    clearInterval(keepAlive)
    await connect?.stop()
    await cluster.stop()
  }
  if (stopSignal === undefined) throw new RealClusterUnavailableError(`the real Kafka rig stopped unexpectedly: ${why ?? 'unknown reason'}`)
  if (options.output !== 'json') process.stdout.write(`Stopped on ${stopSignal}.\n`)
}

export function register (testkit: Command): void {
  testkit.command('kafka')
    .description('Run real Apache Kafka (KRaft) and optionally Kafka Connect workers in the foreground and print how to reach them')
    .option('--brokers <count>', 'brokers, ids 1..count (1 to 9)', integerOption('--brokers', 1, 9), 3)
    .option('--controllers <count>', 'dedicated controllers (0: every broker is also a controller)', integerOption('--controllers', 0, 5), 0)
    .option('--connect-workers <count>', 'Kafka Connect distributed workers in one group (0: none)', integerOption('--connect-workers', 0, 9), 0)
    .option('--kafka-version <version>', 'a pinned Kafka version or its prefix (4, 3.9); default the newest pinned')
    .option('--sasl', 'also listen on SASL_SSL (the rig\'s CA, SCRAM users)', false)
    .option('--topic <name:partitions:rf>', 'create a topic (repeatable), e.g. orders:3:3',
      (text: string, previous: TopicSpec[]) => [...previous, parseTopicSpec(text)], [] as TopicSpec[])
    .option('-o, --output <format>', 'table or json', parseStreamOutput, 'table' as const)
    .action(async (options: KafkaCliOptions) => run(options))
}
