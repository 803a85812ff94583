/** Describe the cluster: id, controller and brokers (DescribeCluster where offered, else Metadata). */
import { apis } from '../protocol/apis/index.ts'
import { UnsupportedApiError } from '../cluster/errors.ts'
import { adminCall, type AdminContext, type CallOptions } from './context.ts'
import { throwTopLevel } from './results.ts'

export interface ClusterDescription {
  clusterId: string | null
  controllerId: number
  brokers: Array<{ nodeId: number, host: string, port: number, rack: string | null }>
}

export async function describeCluster (ctx: AdminContext, options: CallOptions = {}): Promise<ClusterDescription> {
  const operation = 'describeCluster'
  return await adminCall(ctx, operation, options, async (signal) => {
    const connection = await ctx.cluster.anyConnection({ signal })
    try {
      connection.versionFor(apis.DescribeCluster)
    } catch (error) {
      if (!(error instanceof UnsupportedApiError)) throw error
      // Brokers before Kafka 2.8 (and librdkafka's mock) answer this through Metadata.
      const metadata = await ctx.cluster.refreshMetadata([], { signal })
      return { clusterId: metadata.clusterId, controllerId: metadata.controllerId, brokers: [...metadata.brokers.values()].sort((a, b) => a.nodeId - b.nodeId) }
    }
    const response = await connection.request(apis.DescribeCluster, { includeClusterAuthorizedOperations: false, endpointType: 1 }, { signal })
    throwTopLevel(operation, response.body, `on ${connection.label}`)
    return {
      clusterId: response.body.clusterId,
      controllerId: response.body.controllerId,
      brokers: response.body.brokers.map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack ?? null })).sort((a, b) => a.nodeId - b.nodeId),
    }
  })
}
