/**
 * The connector plugins the simulator knows, with just enough of a config definition to answer
 * `GET /connector-plugins`, `…/config` and `…/config/validate` the way a worker does, and to reject
 * invalid connector configs with Connect's 400.
 */

export type ConnectorType = 'source' | 'sink'

export interface ConfigKey {
  name: string
  type: 'STRING' | 'INT' | 'LIST' | 'CLASS' | 'PASSWORD'
  required: boolean
  defaultValue: string | null
  documentation: string
  group: string
}

export interface PluginInfo {
  class: string
  type: ConnectorType | 'transformation' | 'converter'
  version: string
  keys: ConfigKey[]
}

const COMMON: ConfigKey[] = [
  { name: 'name', type: 'STRING', required: true, defaultValue: null, documentation: 'Globally unique name to use for this connector.', group: 'Common' },
  { name: 'connector.class', type: 'CLASS', required: true, defaultValue: null, documentation: 'Name or alias of the class for this connector.', group: 'Common' },
  { name: 'tasks.max', type: 'INT', required: false, defaultValue: '1', documentation: 'Maximum number of tasks to use for this connector.', group: 'Common' },
]

const VERSION = '3.9.0'

export const PLUGINS: readonly PluginInfo[] = [
  {
    class: 'org.apache.kafka.connect.file.FileStreamSourceConnector',
    type: 'source',
    version: VERSION,
    keys: [...COMMON,
      { name: 'file', type: 'STRING', required: false, defaultValue: null, documentation: 'Source filename. If not specified, the standard input will be used', group: 'Connector' },
      { name: 'topic', type: 'STRING', required: true, defaultValue: null, documentation: 'The topic to publish data to', group: 'Connector' }],
  },
  {
    class: 'org.apache.kafka.connect.file.FileStreamSinkConnector',
    type: 'sink',
    version: VERSION,
    keys: [...COMMON,
      { name: 'file', type: 'STRING', required: false, defaultValue: null, documentation: 'Destination filename. If not specified, the standard output will be used', group: 'Connector' },
      { name: 'topics', type: 'LIST', required: false, defaultValue: null, documentation: 'The topics to consume from', group: 'Connector' }],
  },
  {
    class: 'org.apache.kafka.connect.mirror.MirrorSourceConnector',
    type: 'source',
    version: VERSION,
    keys: [...COMMON,
      { name: 'source.cluster.alias', type: 'STRING', required: true, defaultValue: null, documentation: 'Alias of source cluster', group: 'Connector' },
      { name: 'target.cluster.alias', type: 'STRING', required: false, defaultValue: 'target', documentation: 'Alias of target cluster', group: 'Connector' },
      { name: 'topics', type: 'LIST', required: false, defaultValue: '.*', documentation: 'Topics to replicate', group: 'Connector' }],
  },
  { class: 'org.apache.kafka.connect.transforms.InsertField$Value', type: 'transformation', version: VERSION, keys: [] },
  { class: 'org.apache.kafka.connect.json.JsonConverter', type: 'converter', version: VERSION, keys: [] },
]

/** Resolves a class name or alias (`FileStreamSource`, `FileStreamSourceConnector`) to a connector plugin. */
export function findConnectorPlugin (nameOrAlias: string): PluginInfo | undefined {
  return PLUGINS.find((p) => (p.type === 'source' || p.type === 'sink') && aliases(p.class).includes(nameOrAlias))
}

function aliases (className: string): string[] {
  const simple = className.slice(className.lastIndexOf('.') + 1)
  return [className, simple, simple.replace(/Connector$/, '')]
}

/** Connect parses INT keys as a Java int: digits within -2^31 .. 2^31-1. */
function isJavaInt (text: string): boolean {
  return /^-?\d{1,10}$/.test(text) && Number(text) >= -2_147_483_648 && Number(text) <= 2_147_483_647
}

/** Errors per config key, in definition order, for the validate endpoint and the create/update 400. */
export function validateConfig (plugin: PluginInfo | undefined, config: Record<string, string>): Map<string, string[]> {
  const errors = new Map<string, string[]>()
  const add = (key: string, message: string): void => { errors.set(key, [...(errors.get(key) ?? []), message]) }
  if (plugin === undefined) {
    add('connector.class', `Failed to find any class that implements Connector and which name matches ${config['connector.class'] ?? ''}`)
    return errors
  }
  for (const key of plugin.keys) {
    const value = config[key.name]
    if (key.required && (value === undefined || value === '') && key.name !== 'name') {
      add(key.name, `Missing required configuration "${key.name}" which has no default value.`)
    }
    if (key.type === 'INT' && value !== undefined && !isJavaInt(value)) {
      add(key.name, `Invalid value ${value} for configuration ${key.name}: Not a number of type INT`)
    } else if (key.name === 'tasks.max' && value !== undefined && Number(value) < 1) {
      add(key.name, `Invalid value ${value} for configuration tasks.max: Value must be at least 1`)
    }
  }
  if (plugin.type === 'sink' && (config.topics ?? '') === '' && (config['topics.regex'] ?? '') === '') {
    add('topics', 'Must configure one of topics or topics.regex')
  }
  return errors
}
