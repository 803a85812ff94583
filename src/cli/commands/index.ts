/**
 * Every command of the CLI, in the order `steadfast --help` lists them: its name, the one-line
 * summary the top-level help shows, and how to load the module that defines it. Modules are loaded
 * only for the command being run (all of them only for shell completion), so `steadfast --version`
 * and `--help` do not pay for importing every client.
 */
import type { Command } from 'commander'

/** Fills in a command (options, subcommands, action) that the program has named and described. */
export type RegisterCommand = (command: Command) => void

export interface CommandEntry {
  name: string
  summary: string
  load: () => Promise<RegisterCommand>
  /** Runs until stopped (a service): logs info by default rather than only errors. */
  longRunning?: true
}

export const commands: CommandEntry[] = [
  { name: 'agent', summary: 'Run the agent: reconcile declared connectors and rebalances, watch consumer-group lag, serve metrics, an API and a status page', load: async () => (await import('./agent.ts')).registerAgent, longRunning: true },
  { name: 'sandbox', summary: 'Start Kafka, Kafka Connect and a Cruise Control simulator with example manifests, and run the agent against them', load: async () => (await import('./agent.ts')).registerSandbox, longRunning: true },
  { name: 'cluster', summary: 'Inspect a Kafka cluster', load: async () => (await import('./cluster.ts')).register },
  { name: 'topics', summary: 'Create, delete, list and describe topics; their configs and partition counts', load: async () => (await import('./topics.ts')).register },
  { name: 'groups', summary: 'Consumer groups: list, describe, committed offsets, lag, reset and delete offsets, delete', load: async () => (await import('./groups.ts')).register },
  { name: 'offsets', summary: 'Earliest, latest or by-timestamp offsets of partitions (like kcat -Q)', load: async () => (await import('./offsets.ts')).register },
  { name: 'produce', summary: 'Send stdin lines to a topic, one record per line (like kcat -P)', load: async () => (await import('./produce.ts')).register },
  { name: 'consume', summary: 'Read records from topics, by group or every partition, printed kcat-style or as JSON (like kcat -C)', load: async () => (await import('./consume.ts')).register },
  { name: 'config', summary: 'Show the effective Kafka connection settings (flags, STEADFAST_* variables, client config file)', load: async () => (await import('./config.ts')).register },
  { name: 'rebalance', summary: 'Cruise Control rebalances with the KafkaRebalance lifecycle (New → PendingProposal → ProposalReady → Rebalancing → Ready)', load: async () => (await import('./rebalance.ts')).register },
  { name: 'cc', summary: 'Inspect Cruise Control (capacity-aware: retries "active user tasks" 500s)', load: async () => (await import('./cc.ts')).register },
  { name: 'connect', summary: 'Kafka Connect: declared connectors and operations that ride out worker rebalances', load: async () => (await import('./connect.ts')).register },
  { name: 'completion', summary: 'Print a shell completion script: bash, zsh or fish', load: async () => (await import('./completion.ts')).register },
  { name: 'testkit', summary: 'Run the fault-injection rig: real Kafka and Kafka Connect, a mock cluster, a chaos proxy, Connect and Cruise Control simulators', load: async () => (await import('./testkit.ts')).register, longRunning: true },
]
