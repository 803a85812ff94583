/**
 * Where the sandbox's Kafka and Kafka Connect come from. `mock`: librdkafka's mock cluster and the
 * Connect simulator (starts in about a second). `real`: Apache Kafka (3 brokers) and 3 Kafka
 * Connect workers as JVMs from the testkit (RealCluster + RealConnect), the default where Java is
 * installed (about 20 s to start on two cores).
 */
import { spawnSync } from 'node:child_process'
import { InvalidArgumentError } from '../../resilience/errors.ts'
import { ConnectSimulator } from '../../testkit/connect-sim/simulator.ts'
import { MockCluster } from '../../testkit/mock-cluster/mock-cluster.ts'
import { RealCluster } from '../../testkit/real-cluster/real-cluster.ts'
import { RealConnect } from '../../testkit/real-cluster/real-connect.ts'

export const ENGINES = ['mock', 'real'] as const
export type EngineName = typeof ENGINES[number]

export const DEMO_TOPICS = [{ name: 'orders', partitions: 3, replicationFactor: 3 }, { name: 'files', partitions: 1, replicationFactor: 3 }]

export interface SandboxEngine {
  name: EngineName
  bootstrap: string
  connectUrls: string[]
  /** The Connect simulator, for the mock engine (tests drive its faults). */
  connectSimulator?: ConnectSimulator
  /** The real Connect workers, for the real engine (tests make workers join and leave). */
  realConnect?: RealConnect
  stop: () => Promise<void>
}

export interface EngineOptions {
  /** Extra worker.properties settings for the real engine's Connect workers (tests: e.g. a scheduled-rebalance delay). */
  connectWorkerConfig?: Record<string, string | number | boolean>
  /** Told what starts, step by step. */
  onProgress?: (step: string) => void
}

type Starter = (options: EngineOptions) => Promise<SandboxEngine>

const starters: Partial<Record<EngineName, Starter>> = {
  mock: async (options) => {
    if (options.connectWorkerConfig !== undefined) throw new InvalidArgumentError('sandbox: connectWorkerConfig applies to the real engine\'s workers; the mock engine\'s Connect simulator has no worker settings')
    options.onProgress?.('starting Kafka: librdkafka\'s mock cluster, 3 brokers')
    const cluster = await MockCluster.start({ brokers: 3, topics: DEMO_TOPICS })
    try {
      options.onProgress?.('starting Kafka Connect: the simulator, 3 workers')
      const connect = await ConnectSimulator.start({ workers: 3, rebalanceMs: 200, restartMs: 100 })
      return {
        name: 'mock',
        bootstrap: cluster.bootstrap,
        connectUrls: connect.urls,
        connectSimulator: connect,
        stop: async () => { await connect.stop(); await cluster.stop() },
      }
    } catch (error) {
      await cluster.stop()
      throw error
    }
  },
  real: async (options) => {
    options.onProgress?.('starting Kafka: Apache Kafka, 3 brokers (JVMs; the first start installs the jars)')
    const cluster = await RealCluster.start({ brokers: 3, topics: DEMO_TOPICS })
    try {
      options.onProgress?.('starting Kafka Connect: 3 workers (JVMs)')
      const connect = await RealConnect.start({ cluster, workers: 3, ...(options.connectWorkerConfig === undefined ? {} : { workerConfig: options.connectWorkerConfig }) })
      return {
        name: 'real',
        bootstrap: cluster.bootstrap,
        connectUrls: connect.urls,
        realConnect: connect,
        stop: async () => { await connect.stop(); await cluster.stop() },
      }
    } catch (error) {
      await cluster.stop()
      throw error
    }
  },
}

export function parseEngine (text: string): EngineName {
  if ((ENGINES as readonly string[]).includes(text)) return text as EngineName
  throw new InvalidArgumentError(`--engine: "${text}" is not an engine (${ENGINES.join(' or ')})`)
}

function javaPresent (): boolean {
  return spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0
}

/** `real` where it is available and Java is installed, else `mock`. */
export function defaultEngine (): EngineName {
  return starters.real !== undefined && javaPresent() ? 'real' : 'mock'
}

export async function startEngine (name: EngineName, options: EngineOptions = {}): Promise<SandboxEngine> {
  const start = starters[name]
  if (start === undefined) throw new InvalidArgumentError(`sandbox engine ${name} is not available in this build; use --engine mock`)
  return await start(options)
}
