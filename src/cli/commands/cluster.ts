/**
 * `steadfast cluster info`: brokers, topics with partitions, leaders, replicas and ISR, and the
 * API version negotiated with each broker.
 */
import type { Command } from 'commander'
import type { Cluster } from '../../cluster/cluster.ts'
import { negotiateAll, type NegotiatedApi } from '../../cluster/versions.ts'
import { addConnectionOptions, kafkaConnection, type ConnectionFlags } from '../kafka-connection.ts'
import { DeadlineExceededError } from '../../resilience/errors.ts'
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
    .option('--timeout <duration>', 'total time for the command', '30s')
    .addHelpText('after', '\nExamples:\n  steadfast cluster info -b 127.0.0.1:9092\n  steadfast cluster info --command-config client.properties -o json')))
    .action(async (options: ConnectionFlags & { output: string, timeout: string }) => {
      const format = parseOutput(options.output)
      const timeoutMs = parseTimeout(options.timeout)
      const { Cluster } = await import('../../cluster/cluster.ts') // here, so `--help` starts without the client
      const client = new Cluster({ ...kafkaConnection(options), connectTimeoutMs: Math.min(timeoutMs, 5_000), requestTimeoutMs: Math.min(timeoutMs, 10_000) })
      const started = Date.now()
      const signal = AbortSignal.timeout(timeoutMs)
      try {
        const info = await clusterInfo(client, signal).catch((error: unknown) => {
          if (!signal.aborted) throw error
          throw new DeadlineExceededError(`cluster info: no answer from ${kafkaConnection(options).bootstrap} within --timeout ${timeoutMs} ms${error instanceof Error ? `: ${error.message}` : ''}`, { attempts: 1, elapsedMs: Date.now() - started, cause: error })
        })
        if (format === 'table') process.stdout.write(renderInfo(info))
        else printResult(format, info, [], [])
      } finally {
        await client.close()
      }
    })
}
