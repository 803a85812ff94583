/**
 * One real Kafka cluster per test file: started in `before`, stopped in `after` (after the clients
 * the tests made are closed), with unique topic and group names so tests never share state.
 */
import { after, before } from 'node:test'
import { randomBytes } from 'node:crypto'
import { RealCluster, type RealClusterOptions } from '../../src/testkit/real-cluster/real-cluster.ts'

export interface RealSuite {
  /** The file's cluster (started before the first test). */
  readonly cluster: RealCluster
  /** Closes `client` before the cluster stops; returns it. */
  closeAfter: <T extends { close: () => Promise<void> }>(client: T) => T
}

/** `prefix-` plus random hex: a topic or group name no other test uses. */
export function unique (prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`
}

export function realClusterSuite (options: RealClusterOptions = {}): RealSuite {
  let cluster: RealCluster | undefined
  const clients: Array<{ close: () => Promise<void> }> = []
  before(async () => {
    const startedAt = Date.now()
    cluster = await RealCluster.start(options)
    console.log(`# Kafka ${cluster.kafkaVersion}, ${cluster.brokers.length} broker(s), started in ${Date.now() - startedAt} ms`)
  })
  after(async () => {
    await Promise.all(clients.splice(0).map(async (c) => { await c.close() }))
    await cluster?.stop()
  })
  return {
    get cluster (): RealCluster {
      if (cluster === undefined) throw new Error('realClusterSuite: the cluster is not started yet (use it inside a test)')
      return cluster
    },
    closeAfter: (client) => {
      clients.push(client)
      return client
    },
  }
}
