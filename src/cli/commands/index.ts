/** Every command group of the CLI, in the order `steadfast --help` lists them. */
import type { Command } from 'commander'

export type RegisterCommands = (program: Command) => void

export const commandGroups: RegisterCommands[] = []
