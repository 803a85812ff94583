/**
 * `steadfast config show`: the connection settings a Kafka command would use, after flags,
 * environment and client config file are combined, with where each came from and secrets masked.
 */
import type { Command } from 'commander'
import { parseJaasConfig, type JaasLogin } from '../client-properties.ts'
import { addConnectionOptions, addJaasLogin, COMMAND_CONFIG_ENV, defaultCommandConfig, effectiveSettings, kafkaConnection, masked, SETTINGS, type ConnectionFlags } from '../kafka-connection.ts'
import { addOutputOption, parseOutput, printResult } from '../options.ts'

export function register (config: Command): void {
  addOutputOption(addConnectionOptions(config.command('show')
    .description('The effective Kafka connection settings (flag > env > --command-config file), secrets masked')
    .addHelpText('after', `\nThe client config file is --command-config, else ${COMMAND_CONFIG_ENV}, else ${defaultCommandConfig()} when it exists.`)))
    .action((options: ConnectionFlags & { output: string }) => {
      const format = parseOutput(options.output)
      const settings = effectiveSettings(options)
      // The user name and password a login line gives are shown as what they are; a line that
      // cannot be read is left for kafkaConnection below to refuse, naming it.
      const jaas = settings.get('sasl.jaas.config')
      const login = jaas === undefined ? undefined : readJaas(jaas.value)
      if (jaas !== undefined && login !== undefined) addJaasLogin(settings, login, jaas.source)
      const rows = SETTINGS.map((s) => {
        const effective = settings.get(s.key)
        return { setting: s.key, value: effective === undefined ? '' : masked(s.key, effective.value), source: effective?.source ?? '(unset)', env: s.env }
      })
      const value = Object.fromEntries(rows.filter((r) => r.source !== '(unset)').map((r) => [r.setting, { value: r.value, source: r.source }]))
      printResult(format, value, rows, ['setting', 'value', 'source', 'env'])
      kafkaConnection(options) // then refuses an incomplete or inconsistent set, as every Kafka command would
    })
}

function readJaas (text: string): JaasLogin | undefined {
  try {
    return parseJaasConfig(text, 'sasl.jaas.config')
  } catch {
    return undefined
  }
}
