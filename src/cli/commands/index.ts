/** Every command group of the CLI, in the order `steadfast --help` lists them. */
import type { Command } from 'commander'
import { register as cluster } from './cluster.ts'
import { register as testkit } from './testkit.ts'

export type RegisterCommands = (program: Command) => void

export const commandGroups: RegisterCommands[] = [
  cluster,
  testkit,
]
