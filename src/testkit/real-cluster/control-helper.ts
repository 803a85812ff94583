/**
 * The control helper (native/real-kafka/src): Kafka's own Java AdminClient behind JSON lines, run
 * by the shared JSON-line helper runner. The rig uses it to learn what Kafka reflects (live brokers
 * and their endpoints, leaders, coordinators), so its controls never rely on the client under test.
 */
import { rootLogger } from '../../observability/logger.ts'
import { JsonLineHelper, type ReadyInfo } from '../process/json-line-helper.ts'
import { RealClusterControlError, RealClusterUnavailableError } from './errors.ts'
import type { KafkaInstall } from './install.ts'

export interface ControlReady extends ReadyInfo {
  pid: number
  kafkaClients: string
}

export async function startControlHelper (install: KafkaInstall, bootstrap: string): Promise<JsonLineHelper<ControlReady>> {
  return await JsonLineHelper.spawn<ControlReady>({
    binary: '/usr/bin/setpriv',
    // readPartition builds its whole answer in memory: hundreds of thousands of records need room.
    args: ['--pdeathsig', 'KILL', '--', install.java, '-Xmx1g', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1',
      // The client's own logging would share stdout with the replies: off.
      '-Dlog4j2.level=OFF',
      '-cp', install.controlClasspath, 'dev.steadfast.rig.Control', bootstrap],
    label: 'real-cluster control helper',
    startTimeoutMs: 30_000,
    // Waits (brokers fenced, a leader moved) carry their own timeout; this bounds the rest.
    requestTimeoutMs: 180_000,
    logger: rootLogger().child({ component: 'real-cluster' }),
    unavailable: (message, cause) => new RealClusterUnavailableError(message, { cause }),
    requestFailed: (message, init) => new RealClusterControlError(message, { op: init.op }),
  })
}
