/**
 * `steadfast testkit …`: the fault rig, from the command line. Each subcommand lives in its own
 * file (testkit-<name>.ts) and is listed in `testkitSubcommands`.
 */
import type { Command } from 'commander'
import { register as cluster } from './testkit-cluster.ts'
import { register as connect } from './testkit-connect.ts'
import { register as cruiseControl } from './testkit-cruise-control.ts'
import { register as kafka } from './testkit-kafka.ts'
import { register as proxy } from './testkit-proxy.ts'

export type RegisterSubcommand = (testkit: Command) => void

export const testkitSubcommands: RegisterSubcommand[] = [
  cluster,
  kafka,
  cruiseControl,
  connect,
  proxy,
]

export function register (testkit: Command): void {
  for (const add of testkitSubcommands) add(testkit)
}
