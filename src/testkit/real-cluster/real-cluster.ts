/**
 * Real Apache Kafka in KRaft mode, as JVM processes on loopback, with the faults of real clusters
 * as awaited controls. Each control returns once Kafka itself reflects it (seen through Kafka's own
 * AdminClient in the control helper), so a test never sleeps to wait for a fault to land.
 *
 *   const cluster = await RealCluster.start({ brokers: 3 })
 *   await cluster.createTopic({ name: 'orders', partitions: 3, replicationFactor: 3 })
 *   await cluster.kill(await cluster.leaderOf('orders', 0))    // SIGKILL; returns once it is fenced
 *   await cluster.start(1)                                     // back, registered again
 *   await cluster.stop()
 *
 * Node ids: brokers (or combined broker+controller nodes) are 1..N; dedicated controllers, when
 * asked for, are 101.. . Jars come from `scripts/build-real-kafka.sh` (see install.ts).
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { rootLogger } from '../../observability/logger.ts'
import { InvalidArgumentError } from '../../resilience/errors.ts'
import type { JsonLineHelper } from '../process/json-line-helper.ts'
import type { TopicSpec } from '../mock-cluster/topic-spec.ts'
import { startControlHelper, type ControlReady } from './control-helper.ts'
import { RealClusterControlError, RealClusterUnavailableError } from './errors.ts'
import { locateKafka, type KafkaInstall } from './install.ts'
import { Jvm, readLog } from './jvm.ts'
import { LOG4J2_PROPERTIES, nodeConfig, type NodePorts, type NodeRole } from './node-config.ts'
import { freePorts } from '../ports.ts'
import { makeCertificates } from './tls.ts'

export interface RealClusterOptions {
  /** Brokers, ids 1..N (1 to 9). Default 3. */
  brokers?: number
  /**
   * Dedicated controllers (ids 101..), so losing brokers never loses the quorum. Default 0: every
   * broker is also a controller (then losing a majority of them stops the cluster).
   */
  controllers?: number
  /** Kafka version: a pinned version or its prefix (`4`, `3.9`). Default: the newest pinned. */
  kafkaVersion?: string
  /** Adds a SASL_SSL listener (TLS with the rig's CA, SCRAM-SHA-256/512 users). */
  sasl?: boolean | { users?: Record<string, string> }
  topics?: Array<TopicSpec & { configs?: Record<string, string> }>
  /** Extra broker settings (server.properties keys). */
  brokerConfig?: Record<string, string | number | boolean>
  /** Settings of one node (by id), over `brokerConfig`: what differs per node, such as `broker.rack`. */
  nodeConfig?: (nodeId: number) => Record<string, string | number | boolean>
  /** JVM flags per node. Default: 256 MiB–768 MiB heap, serial GC, quick start (C1 only). */
  jvmOptions?: string[]
  /** How long start and each control may wait for Kafka to reflect it. Default 120 s. */
  timeoutMs?: number
  /** Where node directories go; default a new directory under the OS temp dir, removed on stop. */
  dataDir?: string
}

export interface RealBroker {
  id: number
  host: string
  port: number
  /** The SASL_SSL listener's port, when the cluster has one. */
  saslPort?: number
}

export interface RealPartition {
  partition: number
  leader: number
  replicas: number[]
  isr: number[]
}

export interface RealGroup {
  state: string
  protocolType: string
  protocol: string
  /** The coordinator's broker id. */
  coordinator: number
  members: Array<{ memberId: string, clientId: string, clientHost: string, metadata: Buffer }>
}

export interface RealRecord {
  offset: number
  /** UTF-8; null for a null key or value. */
  key: string | null
  value: string | null
}

export const DEFAULT_JVM_OPTIONS = ['-Xms256m', '-Xmx768m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xss512k', '-Djava.awt.headless=true']
export const DEFAULT_SASL_USERS: Readonly<Record<string, string>> = { steadfast: 'steadfast-secret' }

interface RigNode {
  id: number
  role: NodeRole
  dir: string
  ports: NodePorts
  jvm: Jvm | undefined
  paused: boolean
}

type State = 'running' | 'stopping' | 'stopped'

export class RealCluster {
  readonly install: KafkaInstall
  readonly clusterId: string
  /** PEM of the CA that signed the brokers' certificates, when SASL_SSL is on. */
  readonly caFile: string | undefined
  /** SCRAM users (name → password), when SASL_SSL is on. */
  readonly saslUsers: Readonly<Record<string, string>> | undefined
  readonly #nodes: Map<number, RigNode>
  readonly #dataDir: string
  readonly #ownsDataDir: boolean
  readonly #voters: string[]
  readonly #options: Required<Pick<RealClusterOptions, 'timeoutMs' | 'jvmOptions'>> & RealClusterOptions
  readonly #keystore: string | undefined
  #control: JsonLineHelper<ControlReady> | undefined
  #state: State = 'running'
  #stopping: Promise<void> | undefined

  private constructor (init: {
    install: KafkaInstall
    clusterId: string
    nodes: Map<number, RigNode>
    dataDir: string
    ownsDataDir: boolean
    voters: string[]
    options: Required<Pick<RealClusterOptions, 'timeoutMs' | 'jvmOptions'>> & RealClusterOptions
    caFile?: string
    keystore?: string
  }) {
    this.install = init.install
    this.clusterId = init.clusterId
    this.#nodes = init.nodes
    this.#dataDir = init.dataDir
    this.#ownsDataDir = init.ownsDataDir
    this.#voters = init.voters
    this.#options = init.options
    this.caFile = init.caFile
    this.#keystore = init.keystore
    this.saslUsers = init.caFile === undefined ? undefined : saslUsersOf(init.options.sasl)
  }

  static async start (options: RealClusterOptions = {}): Promise<RealCluster> {
    const brokers = options.brokers ?? 3
    const controllers = options.controllers ?? 0
    if (!Number.isInteger(brokers) || brokers < 1 || brokers > 9) {
      throw new InvalidArgumentError(`RealCluster.start: brokers must be an integer from 1 to 9, got ${String(brokers)}`)
    }
    if (!Number.isInteger(controllers) || controllers < 0 || controllers > 5) {
      throw new InvalidArgumentError(`RealCluster.start: controllers must be an integer from 0 to 5, got ${String(controllers)}`)
    }
    const install = locateKafka(options.kafkaVersion)
    const ownsDataDir = options.dataDir === undefined
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'steadfast-real-kafka-'))
    mkdirSync(dataDir, { recursive: true })
    const sasl = options.sasl !== undefined && options.sasl !== false
    const perBroker = sasl ? 2 : 1
    const ports = await freePorts(brokers * perBroker + (controllers > 0 ? controllers : brokers))
    const nodes = new Map<number, RigNode>()
    let next = 0
    const take = (): number => ports[next++] as number
    for (let id = 1; id <= brokers; id++) {
      const nodePorts: NodePorts = { plaintext: take() }
      if (sasl) nodePorts.saslSsl = take()
      if (controllers === 0) nodePorts.controller = take()
      nodes.set(id, { id, role: controllers === 0 ? 'combined' : 'broker', dir: join(dataDir, `node-${id}`), ports: nodePorts, jvm: undefined, paused: false })
    }
    for (let c = 1; c <= controllers; c++) {
      const id = 100 + c
      nodes.set(id, { id, role: 'controller', dir: join(dataDir, `node-${id}`), ports: { plaintext: 0, controller: take() }, jvm: undefined, paused: false })
    }
    const voters = [...nodes.values()].filter((n) => n.role !== 'broker').map((n) => `${n.id}@127.0.0.1:${n.ports.controller ?? 0}`)
    const certificates = sasl ? await makeCertificates(dataDir) : undefined
    const cluster = new RealCluster({
      install,
      clusterId: newClusterId(),
      nodes,
      dataDir,
      ownsDataDir,
      voters,
      options: { ...options, timeoutMs: options.timeoutMs ?? 120_000, jvmOptions: options.jvmOptions ?? DEFAULT_JVM_OPTIONS },
      ...(certificates === undefined ? {} : { caFile: certificates.caFile, keystore: certificates.keystoreFile }),
    })
    const logger = rootLogger().child({ component: 'real-cluster' })
    try {
      await Promise.all([...nodes.values()].map(async (node) => await cluster.#format(node)))
      for (const node of nodes.values()) cluster.#launch(node)
      cluster.#control = await startControlHelper(install, cluster.bootstrap)
      await cluster.#waitBrokers('start')
      await cluster.#call('start', 'waitGroupCoordinator', { timeoutMs: cluster.#options.timeoutMs })
      // Users are made through the Admin API (AlterUserScramCredentials), the same way on every
      // version, rather than with StorageTool's --add-scram, whose argument syntax changed across versions.
      for (const [name, password] of Object.entries(cluster.saslUsers ?? {})) {
        await cluster.#call('start', 'upsertScramUser', { name, password, timeoutMs: cluster.#options.timeoutMs })
      }
      for (const topic of options.topics ?? []) await cluster.createTopic(topic)
    } catch (error) {
      await cluster.stop()
      throw error
    }
    logger.debug({ bootstrap: cluster.bootstrap, version: install.version }, 'real cluster started')
    return cluster
  }

  /** Apache Kafka's version, e.g. 4.3.1. */
  get kafkaVersion (): string {
    return this.install.version
  }

  /** `host:port,...` of the brokers' PLAINTEXT listeners (every broker, running or not). */
  get bootstrap (): string {
    return this.brokers.map((b) => `${b.host}:${b.port}`).join(',')
  }

  /** `host:port,...` of the SASL_SSL listeners; throws when the cluster has none. */
  get saslBootstrap (): string {
    const list = this.brokers.filter((b) => b.saslPort !== undefined).map((b) => `${b.host}:${String(b.saslPort)}`)
    if (list.length === 0) throw new InvalidArgumentError('this RealCluster has no SASL_SSL listener: start it with { sasl: true }')
    return list.join(',')
  }

  get brokers (): RealBroker[] {
    return [...this.#nodes.values()].filter((n) => n.role !== 'controller').map((n) => {
      const broker: RealBroker = { id: n.id, host: '127.0.0.1', port: n.ports.plaintext }
      if (n.ports.saslSsl !== undefined) broker.saslPort = n.ports.saslSsl
      return broker
    })
  }

  /** Where the nodes' configs, logs and data live (node-<id>/). */
  get dataDir (): string {
    return this.#dataDir
  }

  /** Ids of every node (brokers and dedicated controllers). */
  get nodeIds (): number[] {
    return [...this.#nodes.keys()]
  }

  /** Process id of a node's JVM, or undefined while it is not running. */
  pidOf (node: number): number | undefined {
    const jvm = this.#nodes.get(node)?.jvm
    return jvm?.running === true ? jvm.pid : undefined
  }

  isRunning (node: number): boolean {
    return this.#state === 'running' && this.pidOf(node) !== undefined
  }

  /** SIGKILL: the node dies at once, without a controlled shutdown. Returns once the controller has fenced it. */
  async kill (node: number): Promise<void> {
    const n = this.#runningNode(node, 'kill')
    await n.jvm?.kill()
    n.jvm = undefined
    n.paused = false
    await this.#waitBrokers('kill')
  }

  /** SIGSTOP: a hung node (its sockets stay open, nothing answers). Returns once the controller has fenced it. */
  async pause (node: number): Promise<void> {
    const n = this.#runningNode(node, 'pause')
    n.jvm?.signal('SIGSTOP')
    n.paused = true
    await this.#waitBrokers('pause')
  }

  /** SIGCONT after pause. Returns once the broker is registered and unfenced again. */
  async resume (node: number): Promise<void> {
    const n = this.#node(node, 'resume')
    if (!n.paused || n.jvm === undefined) throw new RealClusterControlError(`resume: node ${node} is not paused`, { op: 'resume' })
    n.jvm.signal('SIGCONT')
    n.paused = false
    await this.#waitBrokers('resume')
  }

  /** Graceful stop (SIGTERM: controlled shutdown moves its leaders away first). Returns once it has exited and is fenced. */
  async stopNode (node: number): Promise<void> {
    const n = this.#runningNode(node, 'stopNode')
    await n.jvm?.terminate(this.#options.timeoutMs)
    n.jvm = undefined
    await this.#waitBrokers('stopNode')
  }

  /** Starts a stopped or killed node again with its data. Returns once it is registered and unfenced. */
  async startNode (node: number): Promise<void> {
    const n = this.#node(node, 'startNode')
    if (n.jvm?.running === true) throw new RealClusterControlError(`startNode: node ${node} is already running`, { op: 'startNode' })
    this.#launch(n)
    await this.#waitBrokers('startNode')
  }

  /**
   * SIGKILLs several nodes at once (a rack or the whole cluster losing power). Returns once the
   * controller has fenced them while a majority of the quorum and some broker still run; otherwise
   * (every broker down, or the quorum gone with most combined nodes or controllers) there is no one
   * to ask, and it returns once their processes have exited.
   */
  async killNodes (nodes: number[]): Promise<void> {
    const targets = this.#distinctNodes(nodes, 'killNodes')
    for (const n of targets) if (n.jvm?.running !== true) throw new RealClusterControlError(`killNodes: node ${n.id} is not running`, { op: 'killNodes' })
    await Promise.all(targets.map(async (n) => {
      await n.jvm?.kill()
      n.jvm = undefined
      n.paused = false
    }))
    const brokerRuns = [...this.#nodes.values()].some((n) => n.role !== 'controller' && n.jvm?.running === true)
    if (brokerRuns && this.#quorumRuns()) await this.#waitBrokers('killNodes')
  }

  /**
   * Starts several stopped or killed nodes together and waits once for all of them: the way back
   * from losing a combined quorum, which no node can form alone (so startNode, which waits for
   * each node by itself, cannot). Returns once every running broker is registered and unfenced.
   */
  async startNodes (nodes: number[]): Promise<void> {
    const targets = this.#distinctNodes(nodes, 'startNodes')
    for (const n of targets) if (n.jvm?.running === true) throw new RealClusterControlError(`startNodes: node ${n.id} is already running`, { op: 'startNodes' })
    for (const n of targets) this.#launch(n)
    await this.#waitBrokers('startNodes')
  }

  /**
   * Restarts a broker, same node id and data, on a new PLAINTEXT (and SASL_SSL) port; the old port
   * is closed. Its controller port, if any, stays (it is the quorum's voter address). Returns the
   * broker's new endpoint once the cluster advertises it.
   */
  async restartWithNewEndpoint (node: number): Promise<RealBroker> {
    const n = this.#node(node, 'restartWithNewEndpoint')
    if (n.role === 'controller') throw new InvalidArgumentError(`restartWithNewEndpoint: node ${node} is a controller, not a broker`)
    if (n.jvm?.running === true) {
      await n.jvm.terminate(this.#options.timeoutMs)
      n.jvm = undefined
    }
    const [plaintext, saslSsl] = await freePorts(2)
    n.ports = { ...n.ports, plaintext: plaintext as number }
    if (n.ports.saslSsl !== undefined) n.ports.saslSsl = saslSsl as number
    this.#writeConfig(n)
    this.#launch(n)
    await this.#waitBrokers('restartWithNewEndpoint')
    await this.#call('restartWithNewEndpoint', 'rebootstrap', { bootstrap: this.bootstrap })
    const broker = this.brokers.find((b) => b.id === node) as RealBroker
    return broker
  }

  /**
   * Every broker at once on a new port (same ids, same data): the old ports close together, so a
   * client that holds only the endpoints it started with has nothing left to ask — the endpoint
   * change of a whole cluster. The control helper is pointed at the new ports before the wait (it
   * cannot learn them from a broker, as it does when one broker moves). Controllers keep theirs.
   */
  async restartAllWithNewEndpoints (): Promise<RealBroker[]> {
    const op = 'restartAllWithNewEndpoints'
    if (this.#state !== 'running') throw new RealClusterUnavailableError(`${op}: the cluster is not running`)
    const nodes = [...this.#nodes.values()].filter((n) => n.role !== 'controller')
    await Promise.all(nodes.map(async (n) => {
      await n.jvm?.terminate(this.#options.timeoutMs)
      n.jvm = undefined
      n.paused = false
    }))
    const ports = await freePorts(nodes.length * 2)
    nodes.forEach((n, i) => {
      n.ports = { ...n.ports, plaintext: ports[2 * i] as number }
      if (n.ports.saslSsl !== undefined) n.ports.saslSsl = ports[2 * i + 1] as number
      this.#writeConfig(n)
      this.#launch(n)
    })
    await this.#call(op, 'rebootstrap', { bootstrap: this.bootstrap })
    await this.#waitBrokers(op)
    return this.brokers
  }

  /** Makes `node` the partition's leader (reassigning replicas if needed, then a preferred election). */
  async moveLeader (topic: string, partition: number, node: number): Promise<void> {
    await this.#call('moveLeader', 'moveLeader', { topic, partition, broker: node, timeoutMs: this.#options.timeoutMs })
  }

  async createTopic (spec: TopicSpec & { configs?: Record<string, string> }): Promise<void> {
    const brokers = this.brokers.length
    await this.#call('createTopic', 'createTopic', {
      topic: spec.name,
      partitions: spec.partitions ?? 1,
      replicationFactor: spec.replicationFactor ?? Math.min(3, brokers),
      configs: spec.configs ?? {},
      timeoutMs: this.#options.timeoutMs,
    })
  }

  async deleteTopic (topic: string): Promise<void> {
    await this.#call('deleteTopic', 'deleteTopic', { topic })
  }

  /** Each partition's leader (-1: none), replicas and in-sync replicas, as Kafka reports them. */
  async describeTopic (topic: string): Promise<RealPartition[]> {
    const reply = await this.#call('describeTopic', 'describeTopic', { topic })
    return reply.partitions as RealPartition[]
  }

  async leaderOf (topic: string, partition: number): Promise<number> {
    const p = (await this.describeTopic(topic)).find((x) => x.partition === partition)
    if (p === undefined) throw new RealClusterControlError(`leaderOf: ${topic} has no partition ${partition}`, { op: 'leaderOf' })
    return p.leader
  }

  /** The broker that coordinates a consumer group. */
  async coordinatorOf (group: string): Promise<number> {
    const reply = await this.#call('coordinatorOf', 'coordinator', { group })
    return reply.broker as number
  }

  /**
   * A classic group (consumer or Kafka Connect) as its coordinator reports it (DescribeGroups):
   * state (`Stable`, `PreparingRebalance`, `CompletingRebalance`, `Empty`, `Dead`) and members,
   * each with its protocol metadata (for Connect, the worker's URL comes first in it).
   */
  async describeGroup (group: string): Promise<RealGroup> {
    const reply = await this.#call('describeGroup', 'describeGroup', { group })
    const members = (reply.members as Array<{ memberId: string, clientId: string, clientHost: string, metadata: string }>)
      .map((m) => ({ memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost, metadata: Buffer.from(m.metadata, 'base64') }))
    return { state: reply.state as string, protocolType: reply.protocolType as string, protocol: reply.protocol as string, coordinator: reply.coordinator as number, members }
  }

  /**
   * Every record of a partition, log start to high watermark, read with Kafka's own Java consumer
   * (no group): an independent reader to compare a client's writes against.
   */
  async readPartition (topic: string, partition: number): Promise<RealRecord[]> {
    const reply = await this.#call('readPartition', 'readPartition', { topic, partition, timeoutMs: this.#options.timeoutMs })
    return reply.records as RealRecord[]
  }

  /** A group's committed offsets, as Kafka's own AdminClient lists them. */
  async groupOffsets (group: string): Promise<Array<{ topic: string, partition: number, offset: number }>> {
    const reply = await this.#call('groupOffsets', 'groupOffsets', { group })
    return reply.offsets as Array<{ topic: string, partition: number, offset: number }>
  }

  /** Every group the brokers know, with its state (null when the broker does not say). */
  async listGroups (): Promise<Array<{ groupId: string, state: string | null }>> {
    const reply = await this.#call('listGroups', 'listGroups')
    return reply.groups as Array<{ groupId: string, state: string | null }>
  }

  /** A topic's or broker's configs, name to value, as Kafka's own AdminClient describes them. */
  async describeConfigs (type: 'topic' | 'broker', name: string): Promise<Record<string, string | null>> {
    const reply = await this.#call('describeConfigs', 'describeConfigs', { type, name })
    return reply.configs as Record<string, string | null>
  }

  /**
   * The live (unfenced) brokers and the controller id, as Kafka's DescribeCluster reports them to
   * clients; in KRaft mode that "controller" is a live broker, not a quorum member.
   */
  async describeCluster (): Promise<{ brokers: RealBroker[], controller: number, clusterId: string }> {
    const reply = await this.#call('describeCluster', 'brokers')
    return { brokers: reply.brokers as RealBroker[], controller: reply.controller as number, clusterId: reply.clusterId as string }
  }

  /** The node's log (broker and controller output, log4j2 at INFO); the last `lines` lines when given. */
  brokerLogs (node: number, lines?: number): string {
    const n = this.#node(node, 'brokerLogs')
    return readLog(join(n.dir, 'server.log'), lines)
  }

  /** Resolves when any node's JVM exits without being asked to, with which node and how. */
  async unexpectedExit (): Promise<string> {
    return await new Promise((resolve) => {
      for (const n of this.#nodes.values()) {
        const jvm = n.jvm
        jvm?.watchExit().then((how) => {
          if (this.#state === 'running' && !jvm.asked) resolve(`node ${n.id} exited (${how.signal ?? `exit code ${String(how.code)}`}); log: ${join(n.dir, 'server.log')}`)
        }, () => {})
      }
    })
  }

  /** Stops every node (SIGKILL: the data is thrown away) and the control helper, and removes the data dir it made. Safe to call twice. */
  async stop (): Promise<void> {
    this.#stopping ??= (async () => {
      this.#state = 'stopping'
      await Promise.all([...this.#nodes.values()].map(async (n) => {
        await n.jvm?.kill()
        n.jvm = undefined
      }))
      await this.#control?.close()
      if (this.#ownsDataDir) rmSync(this.#dataDir, { recursive: true, force: true })
      this.#state = 'stopped'
    })()
    await this.#stopping
  }

  #node (id: number, op: string): RigNode {
    const node = this.#nodes.get(id)
    if (node === undefined) throw new InvalidArgumentError(`${op}: no node ${id} (nodes: ${this.nodeIds.join(', ')})`)
    if (this.#state !== 'running') throw new RealClusterUnavailableError(`${op}: the cluster is ${this.#state}`)
    return node
  }

  #distinctNodes (ids: number[], op: string): RigNode[] {
    if (!Array.isArray(ids) || ids.length === 0) throw new InvalidArgumentError(`${op}: expected a non-empty list of node ids, got ${JSON.stringify(ids)}`)
    return [...new Set(ids)].map((id) => this.#node(id, op))
  }

  /** Whether more than half of the quorum's voters (controllers and combined nodes) are running. */
  #quorumRuns (): boolean {
    const voters = [...this.#nodes.values()].filter((n) => n.role !== 'broker')
    return voters.filter((n) => n.jvm?.running === true).length * 2 > voters.length
  }

  #runningNode (id: number, op: string): RigNode {
    const node = this.#node(id, op)
    if (node.jvm?.running !== true) throw new RealClusterControlError(`${op}: node ${id} is not running`, { op })
    return node
  }

  #writeConfig (node: RigNode): void {
    mkdirSync(node.dir, { recursive: true })
    writeFileSync(join(node.dir, 'log4j2.properties'), LOG4J2_PROPERTIES)
    const input: Parameters<typeof nodeConfig>[0] = {
      id: node.id,
      role: node.role,
      ports: node.ports,
      voters: this.#voters,
      logDir: join(node.dir, 'data'),
      brokerCount: this.brokers.length,
    }
    if (this.caFile !== undefined && this.#keystore !== undefined) input.security = { keystore: this.#keystore, truststore: this.caFile }
    if (this.#options.brokerConfig !== undefined || this.#options.nodeConfig !== undefined) {
      input.overrides = { ...this.#options.brokerConfig, ...this.#options.nodeConfig?.(node.id) }
    }
    writeFileSync(join(node.dir, 'server.properties'), nodeConfig(input))
  }

  async #format (node: RigNode): Promise<void> {
    this.#writeConfig(node)
    const args = ['format', '-t', this.clusterId, '-c', join(node.dir, 'server.properties')]
    const jvm = Jvm.start({
      java: this.install.java,
      classpath: this.install.classpath,
      mainClass: 'kafka.tools.StorageTool',
      args,
      jvmOptions: ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', `-Dlog4j2.configurationFile=${join(node.dir, 'log4j2.properties')}`],
      logFile: join(node.dir, 'format.log'),
    })
    const { code } = await jvm.exited()
    if (code !== 0) {
      const log = readLog(join(node.dir, 'format.log'), 15)
      throw new RealClusterUnavailableError(`formatting node ${node.id} with Kafka's StorageTool failed (exit ${String(code)}):\n${log}`)
    }
  }

  #launch (node: RigNode): void {
    node.jvm = Jvm.start({
      java: this.install.java,
      classpath: this.install.classpath,
      mainClass: 'kafka.Kafka',
      args: [join(node.dir, 'server.properties')],
      jvmOptions: [...this.#options.jvmOptions, `-Dlog4j2.configurationFile=${join(node.dir, 'log4j2.properties')}`],
      logFile: join(node.dir, 'server.log'),
    })
    node.paused = false
  }

  /**
   * Waits until Kafka's live brokers are exactly the running, unpaused ones, each at its current
   * port. A node that dies meanwhile (a port taken, a bad setting) fails the wait at once with the
   * end of its log, rather than when the wait times out.
   */
  async #waitBrokers (op: string): Promise<void> {
    const running = [...this.#nodes.values()].filter((n) => n.jvm?.running === true)
    const brokers = running
      .filter((n) => n.role !== 'controller' && !n.paused)
      .map((n) => ({ id: n.id, port: n.ports.plaintext }))
    const died = running.map(async (n) => {
      const jvm = n.jvm as Jvm
      const how = await jvm.watchExit()
      if (jvm.asked) return await new Promise<never>(() => {})
      throw new RealClusterControlError(`${op}: node ${n.id} exited (${how.signal ?? `exit code ${String(how.code)}`}) while waiting for Kafka; ` +
        `from ${join(n.dir, 'server.log')}:\n${failureSummary(this.brokerLogs(n.id))}`, { op })
    })
    // A death after the wait has ended is unexpectedExit()'s business, not an unhandled rejection.
    for (const d of died) d.catch(() => {})
    await Promise.race([this.#call(op, 'waitBrokers', { brokers, timeoutMs: this.#options.timeoutMs }), ...died])
  }

  async #call (op: string, helperOp: string, fields: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const control = this.#control
    if (control === undefined || this.#state !== 'running') throw new RealClusterUnavailableError(`${op}: the cluster is not running`)
    try {
      return await control.request(helperOp, fields)
    } catch (error) {
      if (error instanceof RealClusterControlError) {
        throw new RealClusterControlError(`${op}: ${error.message}`, { op, cause: error })
      }
      throw error
    }
  }
}

/** The first errors of a node's log (usually the cause) and its last lines (how it ended). */
function failureSummary (log: string): string {
  const lines = log.split('\n')
  const errors = lines.filter((l) => /\b(ERROR|FATAL)\b|Exception:/.test(l)).slice(0, 5)
  return [...errors, '...', ...lines.slice(-8)].join('\n')
}

/** A Kafka cluster id: 16 random bytes in URL-safe base64, not starting with '-' (as Kafka's own Uuid avoids). */
function newClusterId (): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url')
    if (!id.startsWith('-')) return id
  }
}

function saslUsersOf (sasl: RealClusterOptions['sasl']): Record<string, string> {
  if (typeof sasl === 'object' && sasl.users !== undefined) return { ...sasl.users }
  return { ...DEFAULT_SASL_USERS }
}
