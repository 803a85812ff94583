/**
 * `steadfast cluster info`: brokers, topics with partitions, leaders, replicas and ISR, and the
 * API version negotiated with each broker.
 */
import type { Command } from 'commander'
import type { Cluster } from '../../cluster/cluster.ts'
import { negotiateAll, type NegotiatedApi } from '../../cluster/versions.ts'
import { addConnectionOptions, kafkaConnection, type ConnectionFlags } from '../kafka-connection.ts'
import { commandLogger } from '../logging.ts'
import { DeadlineExceededError } from '../../resilience/errors.ts'
import { withProgress } from '../progress.ts'
import { addOutputOption, parseOutput, parseTimeout, printResult, renderTable } from '../options.ts'

interface BrokerReport {
  id: number
  host: string
  port: number
  rack: string | null
  controller: boolean
  /** Undefined when the broker could not be reached. */
  apis?: NegotiatedApi[]
  error?: string
}

export interface ClusterInfo {
  clusterId: string | null
  controllerId: number
  brokers: BrokerReport[]
  topics: Array<{ name: string, errorCode: number, partitions: Array<{ partition: number, leader: number, replicas: number[], isr: number[], offline: number[] }> }>
}

export async function clusterInfo (cluster: Cluster, signal?: AbortSignal): Promise<ClusterInfo> {
  const wait = signal === undefined ? {} : { signal }
  const metadata = await cluster.refreshMetadata(undefined, wait)
  const brokers = await Promise.all([...metadata.brokers.values()].sort((a, b) => a.nodeId - b.nodeId).map(async (b): Promise<BrokerReport> => {
    const report: BrokerReport = { id: b.nodeId, host: b.host, port: b.port, rack: b.rack, controller: b.nodeId === metadata.controllerId }
    try {
      report.apis = negotiateAll((await cluster.connection(b.nodeId, 'default', wait)).versions)
    } catch (error) {
      report.error = (error as Error).message
    }
    return report
  }))
  const topics = [...metadata.topics.values()].sort((a, b) => a.name.localeCompare(b.name)).map((t) => ({
    name: t.name,
    errorCode: t.errorCode,
    partitions: t.partitions.map((p) => ({ partition: p.partition, leader: p.leader, replicas: p.replicas, isr: p.isr, offline: p.offline })),
  }))
  return { clusterId: metadata.clusterId, controllerId: metadata.controllerId, brokers, topics }
}

function renderInfo (info: ClusterInfo): string {
  const out: string[] = [`cluster ${info.clusterId ?? '(no id)'}, controller ${info.controllerId}`, '', 'BROKERS']
  out.push(renderTable(info.brokers.map((b) => ({ ...b, controller: b.controller ? 'yes' : '', rack: b.rack ?? '', status: b.error ?? 'ok' })), ['id', 'host', 'port', 'rack', 'controller', 'status']))
  out.push('TOPICS')
  const rows = info.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition, leader: p.leader, replicas: p.replicas.join(','), isr: p.isr.join(','), offline: p.offline.join(',') })))
  out.push(renderTable(rows, ['topic', 'partition', 'leader', 'replicas', 'isr', 'offline']))
  out.push('NEGOTIATED API VERSIONS (broker: version used, "-" = not offered)')
  const names = info.brokers[0]?.apis?.map((a) => a.api) ?? []
  const versionRows = names.map((api) => Object.fromEntries([['api', api], ...info.brokers.map((b) => [`broker ${b.id}`, b.apis?.find((a) => a.api === api)?.version ?? '-'])]))
  out.push(renderTable(versionRows, ['api', ...info.brokers.map((b) => `broker ${b.id}`)]))
  return out.join('\n')
}

export function register (cluster: Command): void {
  addOutputOption(addConnectionOptions(cluster.command('info')
    .description('Brokers, topics with partitions/leaders/replicas/ISR, and the API versions negotiated with each broker')
    .option('--timeout <duration>', 'total time for the command', '30s')))
    .action(async (options: ConnectionFlags & { output: string, timeout: string }) => {
      const format = parseOutput(options.output)
      const timeoutMs = parseTimeout(options.timeout)
      // Loaded here, so `--help` starts without the client.
      const [{ Cluster }, { retry }] = await Promise.all([import('../../cluster/cluster.ts'), import('../../resilience/retry.ts')])
      const connection = kafkaConnection(options)
      const logger = commandLogger()
      const client = new Cluster({ ...connection, logger, connectTimeoutMs: Math.min(timeoutMs, 5_000), requestTimeoutMs: Math.min(timeoutMs, 10_000) })
      try {
        // Retried within --timeout like every Kafka command: a broker still starting is waited for.
        const info = await withProgress(`waiting for ${connection.bootstrap}`, async () => await retry(async ({ signal }) => await clusterInfo(client, signal),
          { component: 'cli', operation: 'cluster-info', policy: { initialDelayMs: 200, maxDelayMs: 1000, maxAttempts: Infinity, deadlineMs: timeoutMs }, logger }))
          .catch((error: unknown) => {
            if (!(error instanceof DeadlineExceededError)) throw error
            const cause = error.cause instanceof Error ? `: ${error.cause.message}` : ''
            throw new DeadlineExceededError(`cluster info: no answer from ${connection.bootstrap} within --timeout ${timeoutMs} ms${cause}`, { attempts: error.attempts, elapsedMs: error.elapsedMs, cause: error.cause })
          })
        if (format === 'table') process.stdout.write(renderInfo(info))
        else printResult(format, info, [], [])
      } finally {
        await client.close()
      }
    })
}
