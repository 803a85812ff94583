/** Every command group of the CLI, in the order `steadfast --help` lists them. */
import type { Command } from 'commander'
import { register as agent } from './agent.ts'
import { register as cluster } from './cluster.ts'
import { register as connect } from './connect.ts'
import { register as groups } from './groups.ts'
import { register as produce } from './produce.ts'
import { register as consume } from './consume.ts'
import { register as testkit } from './testkit.ts'
import { register as topics } from './topics.ts'
import { register as cc } from './cc.ts'
import { register as rebalance } from './rebalance.ts'

export type RegisterCommands = (program: Command) => void

export const commandGroups: RegisterCommands[] = [
  agent,
  cluster,
  topics,
  groups,
  produce,
  consume,
  rebalance,
  cc,
  connect,
  testkit,
]
