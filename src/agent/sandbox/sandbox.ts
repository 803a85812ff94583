/**
 * `steadfast sandbox`: Kafka and Kafka Connect from an engine, a Cruise Control simulator, a little
 * traffic, the example manifests and config in a directory, and the agent running against them.
 * The state directory is emptied at start: it would describe the servers of an earlier run.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import type { Logger } from '../../observability/logger.ts'
import { rootLogger } from '../../observability/logger.ts'
import { CruiseControlSimulator } from '../../testkit/cruise-control-sim/simulator.ts'
import { Agent } from '../agent.ts'
import { startEngine, type EngineName, type SandboxEngine } from './engines.ts'
import { writeExamples } from './examples.ts'
import { startWorkload, type Workload } from './workload.ts'

export interface SandboxOptions {
  engine: EngineName
  /** Where the manifests, config and state go (default $TMPDIR/steadfast-sandbox). */
  dir?: string
  /** The agent's HTTP port (default 8080; 0 picks a free one). */
  port?: number
  /** Produce and commit demo traffic (default true). */
  workload?: boolean
  logger?: Logger
  /** Extra worker settings for the real engine's Connect workers (not offered by the command; tests use it). */
  connectWorkerConfig?: Record<string, string | number | boolean>
  /** Told what starts, step by step (the command prints it while the sandbox starts). */
  onProgress?: (step: string) => void
}

export const DEFAULT_SANDBOX_DIR = join(tmpdir(), 'steadfast-sandbox')

export class Sandbox {
  readonly agent: Agent
  readonly engine: SandboxEngine
  readonly cruiseControl: CruiseControlSimulator
  readonly dir: string
  readonly configFile: string
  readonly #workload: Workload | undefined

  private constructor (parts: { agent: Agent, engine: SandboxEngine, cruiseControl: CruiseControlSimulator, dir: string, configFile: string, workload: Workload | undefined }) {
    this.agent = parts.agent
    this.engine = parts.engine
    this.cruiseControl = parts.cruiseControl
    this.dir = parts.dir
    this.configFile = parts.configFile
    this.#workload = parts.workload
  }

  static async start (options: SandboxOptions): Promise<Sandbox> {
    const dir = options.dir ?? DEFAULT_SANDBOX_DIR
    const logger = options.logger ?? rootLogger()
    const stops: Array<() => Promise<void>> = []
    try {
      const progress = options.onProgress ?? (() => {})
      const engine = await startEngine(options.engine, {
        onProgress: progress,
        ...(options.connectWorkerConfig === undefined ? {} : { connectWorkerConfig: options.connectWorkerConfig }),
      })
      stops.push(() => engine.stop())
      progress('starting the Cruise Control simulator (4 brokers, max.active.user.tasks 5)')
      const cruiseControl = await CruiseControlSimulator.start({ maxActiveUserTasks: 5, scanIntervalMs: 1000, maxBlockTimeMs: 500, proposalComputeMs: 500, executionTickMs: 500, movementsPerTick: 3, cluster: { brokers: 4 } })
      stops.push(() => cruiseControl.stop())
      if (options.workload !== false) progress('starting demo traffic (groups billing, analytics, audit)')
      const workload = options.workload === false ? undefined : await startWorkload(engine.bootstrap, logger)
      if (workload !== undefined) stops.push(() => workload.stop())
      await rm(join(dir, 'state'), { recursive: true, force: true })
      const configFile = await writeExamples(dir, { bootstrap: engine.bootstrap, connectUrls: engine.connectUrls, cruiseControlUrl: cruiseControl.url, port: options.port ?? 8080 })
      progress(`starting the agent (config ${configFile})`)
      const agent = await Agent.start(configFile, { logger })
      return new Sandbox({ agent, engine, cruiseControl, dir, configFile, workload })
    } catch (error) {
      for (const stop of stops.reverse()) await stop()
      throw error
    }
  }

  /** What the sandbox runs and what to try, for the terminal. */
  describe (): string {
    const url = this.agent.url
    return [
      `steadfast agent running on the sandbox (engine: ${this.engine.name})`,
      '',
      `  status page   ${url}/`,
      `  metrics       ${url}/metrics`,
      `  JSON API      ${url}/api/status`,
      '',
      `  Kafka         ${this.engine.bootstrap}`,
      `  Connect       ${this.engine.connectUrls.join(', ')}`,
      `  Cruise Ctrl   ${this.cruiseControl.url}`,
      `  manifests     ${join(this.dir, 'manifests')}`,
      `  config        ${this.configFile}`,
      '',
      'Try:',
      `  - open ${url}/ : two FileStream connectors become Ready, the rebalance waits for approval, three groups show OK, WARN and ERR`,
      `  - approve the rebalance: curl -X POST ${url}/api/rebalances/full-rebalance/approve`,
      `    (or add the annotation strimzi.io/rebalance: approve in ${join(this.dir, 'manifests', 'rebalance.yaml')})`,
      `  - change tasksMax in ${join(this.dir, 'manifests', 'connectors.yaml')}, or delete a connector document: applied on save`,
      `  - restart a connector: curl -X POST ${url}/api/connectors/files-sink/restart`,
      '',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n')
  }

  async stop (): Promise<void> {
    await this.agent.stop()
    await this.#workload?.stop()
    await this.cruiseControl.stop()
    await this.engine.stop()
  }
}
