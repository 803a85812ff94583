/**
 * How every Kafka command reaches its cluster: bootstrap servers, TLS and SASL, each from a flag,
 * an environment variable or a client config file (`--command-config`, Kafka's property names),
 * in that order of precedence. The one home of these options: commands add them with
 * `addConnectionOptions` and turn them into client options with `kafkaConnection`.
 */
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { ConnectionOptions as TlsOptions } from 'node:tls'
import type { Command } from 'commander'
import type { SaslOptions } from '../cluster/broker-connection.ts'
import { InvalidArgumentError } from '../resilience/errors.ts'
import { parseJaasConfig, parseProperties, type JaasLogin } from './client-properties.ts'
import { readCaFile, readUserFile } from './files.ts'

export interface Setting {
  /** The Kafka client property (config file key). */
  key: string
  /** Other names for it in config files (librdkafka's, as kcat -F users have them). */
  aliases?: string[]
  /** The flag, when there is one (secrets other than the SASL password have none: a flag shows in `ps`). */
  flag?: { flags: string, attribute: keyof ConnectionFlags }
  env: string
  secret?: boolean
  description: string
}

export interface ConnectionFlags {
  bootstrap?: string
  commandConfig?: string
  securityProtocol?: string
  caFile?: string
  certFile?: string
  keyFile?: string
  saslMechanism?: string
  saslUsername?: string
  saslPassword?: string
}

export const SETTINGS: readonly Setting[] = [
  { key: 'bootstrap.servers', flag: { flags: '-b, --bootstrap <list>', attribute: 'bootstrap' }, env: 'STEADFAST_BOOTSTRAP', description: 'bootstrap servers, host:port[,host:port…]' },
  { key: 'security.protocol', flag: { flags: '--security-protocol <protocol>', attribute: 'securityProtocol' }, env: 'STEADFAST_SECURITY_PROTOCOL', description: 'PLAINTEXT (default), SSL, SASL_PLAINTEXT or SASL_SSL' },
  { key: 'ssl.ca.location', flag: { flags: '--ca-file <file>', attribute: 'caFile' }, env: 'STEADFAST_SSL_CA_LOCATION', description: 'PEM CA certificates to trust for the brokers (default: the system\'s)' },
  { key: 'ssl.certificate.location', flag: { flags: '--cert-file <file>', attribute: 'certFile' }, env: 'STEADFAST_SSL_CERTIFICATE_LOCATION', description: 'PEM client certificate, for brokers that require one (mutual TLS)' },
  { key: 'ssl.key.location', flag: { flags: '--key-file <file>', attribute: 'keyFile' }, env: 'STEADFAST_SSL_KEY_LOCATION', description: 'PEM private key of the client certificate' },
  { key: 'ssl.key.password', env: 'STEADFAST_SSL_KEY_PASSWORD', secret: true, description: 'passphrase of the private key' },
  { key: 'ssl.endpoint.identification.algorithm', env: 'STEADFAST_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM', description: 'https (default: the broker certificate must name the host dialled), or empty / none to skip that check' },
  { key: 'sasl.mechanism', aliases: ['sasl.mechanisms'], flag: { flags: '--sasl-mechanism <mechanism>', attribute: 'saslMechanism' }, env: 'STEADFAST_SASL_MECHANISM', description: 'PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512' },
  { key: 'sasl.username', flag: { flags: '--sasl-username <name>', attribute: 'saslUsername' }, env: 'STEADFAST_SASL_USERNAME', description: 'SASL user name (wins over sasl.jaas.config\'s)' },
  { key: 'sasl.password', flag: { flags: '--sasl-password <password>', attribute: 'saslPassword' }, env: 'STEADFAST_SASL_PASSWORD', secret: true, description: 'SASL password (wins over sasl.jaas.config\'s); prefer the variable or the file, a flag shows in `ps`' },
  { key: 'sasl.jaas.config', env: 'STEADFAST_SASL_JAAS_CONFIG', secret: true, description: 'a PlainLoginModule or ScramLoginModule line with username="…" password="…", as Java clients take it' },
]

export const COMMAND_CONFIG_ENV = 'STEADFAST_COMMAND_CONFIG'

/** Read when neither --command-config nor STEADFAST_COMMAND_CONFIG names a file, if it exists. */
export function defaultCommandConfig (env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'steadfast', 'client.properties')
}

export function addConnectionOptions (command: Command): Command {
  for (const setting of SETTINGS) {
    if (setting.flag !== undefined) command.option(setting.flag.flags, `${setting.description} [env ${setting.env}, config ${setting.key}]`)
  }
  return command.option('--command-config <file>', `Kafka client properties (bootstrap.servers, security.protocol, sasl.*, ssl.*) [env ${COMMAND_CONFIG_ENV}, default ${defaultCommandConfig().replace(homedir(), '~')}]`)
}

export interface Effective {
  value: string
  /** Where it came from: `--bootstrap`, `STEADFAST_BOOTSTRAP`, `<file> line 3`. */
  source: string
}

/** The config file in use, and whether it was named (then it must exist) or is the default. */
function commandConfigFile (flags: ConnectionFlags, env: NodeJS.ProcessEnv): { path: string, named: boolean } | undefined {
  const named = flags.commandConfig ?? env[COMMAND_CONFIG_ENV]
  if (named !== undefined && named !== '') return { path: named, named: true }
  const path = defaultCommandConfig(env)
  return existsSync(path) ? { path, named: false } : undefined
}

/** Every setting given, by Kafka property name, with where it came from: flag > env > file. */
export function effectiveSettings (flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Map<string, Effective> {
  const settings = new Map<string, Effective>()
  const file = commandConfigFile(flags, env)
  if (file !== undefined) {
    const where = file.named ? '--command-config' : 'default client config'
    for (const [key, property] of parseProperties(readUserFile(file.path, where), file.path)) {
      const setting = SETTINGS.find((s) => s.key === key || s.aliases?.includes(key) === true)
      if (setting === undefined) {
        throw new InvalidArgumentError(`${where}: ${file.path} line ${property.line}: "${key}" is not a setting steadfast reads (known: ${SETTINGS.map((s) => s.key).join(', ')})`)
      }
      settings.set(setting.key, { value: property.value, source: `${file.path} line ${property.line}` })
    }
  }
  for (const setting of SETTINGS) {
    const fromEnv = env[setting.env]
    if (fromEnv !== undefined && fromEnv !== '') settings.set(setting.key, { value: fromEnv, source: setting.env })
    const fromFlag = setting.flag === undefined ? undefined : flags[setting.flag.attribute]
    if (fromFlag !== undefined) settings.set(setting.key, { value: fromFlag, source: setting.flag?.flags.replace(/^-\w, /, '').replace(/ <.*/, '') ?? setting.key })
  }
  return settings
}

export interface KafkaConnection {
  bootstrap: string
  tls?: TlsOptions
  sasl?: SaslOptions
}

const PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const
const MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const

/** The client options the settings make; every inconsistency is refused, naming the settings. */
export function kafkaConnection (flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): KafkaConnection {
  const settings = effectiveSettings(flags, env)
  const get = (key: string): Effective | undefined => settings.get(key)
  const named = (key: string): string => `${key} (${get(key)?.source ?? 'unset'})`
  const bootstrap = get('bootstrap.servers')?.value
  if (bootstrap === undefined || bootstrap.trim() === '') {
    throw new InvalidArgumentError(`no bootstrap servers: give -b/--bootstrap host:port, set STEADFAST_BOOTSTRAP, or put bootstrap.servers in --command-config or ${defaultCommandConfig(env)}`)
  }
  const protocol = (get('security.protocol')?.value ?? 'PLAINTEXT').toUpperCase()
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) throw new InvalidArgumentError(`${named('security.protocol')}: "${protocol}" is not ${PROTOCOLS.join(', ')}`)
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL'
  const usesSasl = protocol.startsWith('SASL_')
  for (const key of ['ssl.ca.location', 'ssl.certificate.location', 'ssl.key.location']) {
    if (!usesTls && get(key) !== undefined) throw new InvalidArgumentError(`${named(key)} is set but security.protocol is ${protocol}: use SSL or SASL_SSL for TLS`)
  }
  const connection: KafkaConnection = { bootstrap }
  if (usesTls) connection.tls = tlsOptions(get)
  const mechanism = get('sasl.mechanism')?.value.toUpperCase()
  if (!usesSasl) {
    if (mechanism !== undefined) throw new InvalidArgumentError(`${named('sasl.mechanism')} is set but security.protocol is ${protocol}: use SASL_PLAINTEXT or SASL_SSL for SASL`)
    return connection
  }
  if (mechanism === undefined || !(MECHANISMS as readonly string[]).includes(mechanism)) {
    throw new InvalidArgumentError(`security.protocol ${protocol} needs sasl.mechanism ${MECHANISMS.join(', ')}${mechanism === undefined ? '' : `; ${named('sasl.mechanism')} is "${mechanism}"`}`)
  }
  const jaasSetting = get('sasl.jaas.config')
  const jaas = jaasSetting === undefined ? undefined : parseJaasConfig(jaasSetting.value, `sasl.jaas.config (${jaasSetting.source})`)
  if (jaas !== undefined && (jaas.module === 'plain') !== (mechanism === 'PLAIN')) {
    throw new InvalidArgumentError(`${named('sasl.jaas.config')} uses the ${jaas.module === 'plain' ? 'PLAIN' : 'SCRAM'} login module but sasl.mechanism is ${mechanism}`)
  }
  if (jaas !== undefined && jaasSetting !== undefined) addJaasLogin(settings, jaas, jaasSetting.source)
  const username = get('sasl.username')?.value
  const password = get('sasl.password')?.value
  if (username === undefined || password === undefined) {
    throw new InvalidArgumentError(`SASL ${mechanism} needs a user name and a password: --sasl-username and STEADFAST_SASL_PASSWORD, or sasl.username / sasl.password / sasl.jaas.config in the client config`)
  }
  connection.sasl = { mechanism: mechanism as SaslOptions['mechanism'], username, password }
  return connection
}

/**
 * sasl.username and sasl.password as sasl.jaas.config's login line gives them, where they are not
 * set on their own (a flag, variable or file line of their own wins over the line's).
 */
export function addJaasLogin (settings: Map<string, Effective>, login: JaasLogin, jaasSource: string): void {
  const source = `sasl.jaas.config (${jaasSource})`
  if (!settings.has('sasl.username')) settings.set('sasl.username', { value: login.username, source })
  if (!settings.has('sasl.password')) settings.set('sasl.password', { value: login.password, source })
}

function tlsOptions (get: (key: string) => Effective | undefined): TlsOptions {
  const tls: TlsOptions = {}
  const what = (key: string): string => `${key} (${get(key)?.source ?? ''})`
  const ca = get('ssl.ca.location')
  if (ca !== undefined) tls.ca = readCaFile(ca.value, what('ssl.ca.location'))
  const cert = get('ssl.certificate.location')
  const key = get('ssl.key.location')
  if ((cert === undefined) !== (key === undefined)) throw new InvalidArgumentError('ssl.certificate.location and ssl.key.location go together: a client certificate needs its key')
  if (cert !== undefined && key !== undefined) {
    tls.cert = readUserFile(cert.value, what('ssl.certificate.location'))
    tls.key = readUserFile(key.value, what('ssl.key.location'))
  }
  const passphrase = get('ssl.key.password')?.value
  if (passphrase !== undefined) tls.passphrase = passphrase
  const identification = get('ssl.endpoint.identification.algorithm')?.value.toLowerCase()
  if (identification === '' || identification === 'none') tls.checkServerIdentity = () => undefined
  else if (identification !== undefined && identification !== 'https') throw new InvalidArgumentError(`${what('ssl.endpoint.identification.algorithm')}: "${identification}" is not https, none or empty`)
  return tls
}

/** A secret shown as set or not, never its value (sasl.jaas.config keeps its login module). */
export function masked (key: string, value: string): string {
  const setting = SETTINGS.find((s) => s.key === key)
  if (setting?.secret !== true) return value
  if (key === 'sasl.jaas.config') return value.replace(/(password\s*=\s*)("(?:[^"\\]|\\.)*"|[^\s;]+)/, '$1"********"')
  return '********'
}
