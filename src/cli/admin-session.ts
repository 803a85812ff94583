/** Options every Kafka admin command shares (connection, `--timeout`, `--output`), and running one. */
import type { Command } from 'commander'
import type { Admin } from '../admin/admin.ts'
import { addConnectionOptions, kafkaConnection, type ConnectionFlags } from './kafka-connection.ts'
import { commandLogger } from './logging.ts'
import { withProgress } from './progress.ts'
import { addOutputOption, parseOutput, parseTimeout, type OutputFormat } from './options.ts'

export interface KafkaCommandOptions extends ConnectionFlags {
  timeout: string
  output: string
}

export function addKafkaOptions (command: Command): Command {
  return addOutputOption(addConnectionOptions(command)
    .option('--timeout <duration>', 'total time for the command, retries included', '30s'))
}

/** Runs `fn` with an admin client and the parsed shared options; always closes the client. */
export async function withAdmin<T> (options: KafkaCommandOptions, fn: (admin: Admin, call: { timeoutMs: number }, format: OutputFormat) => Promise<T>): Promise<T> {
  const format = parseOutput(options.output)
  const timeoutMs = parseTimeout(options.timeout)
  // Loaded here, not at the top: `--help` of an admin command then starts without the client stack.
  const { Admin } = await import('../admin/admin.ts')
  const connection = kafkaConnection(options)
  const admin = new Admin({ ...connection, defaultTimeoutMs: timeoutMs, connectTimeoutMs: Math.min(timeoutMs, 10_000), logger: commandLogger() })
  try {
    return await withProgress(`waiting for ${connection.bootstrap}`, async () => await fn(admin, { timeoutMs }, format))
  } finally {
    await admin.close()
  }
}
