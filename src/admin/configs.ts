/**
 * Configs of topics and brokers: describe, and incremental alter (set, delete, append, subtract).
 * Broker configs must be asked of that broker; topic configs of any broker.
 */
import { apis } from '../protocol/apis/index.ts'
import { KafkaErrorCode } from '../resilience/kafka-errors.ts'
import { InvalidArgumentError } from '../resilience/errors.ts'
import { adminCall, forEachItem, type AdminContext, type CallOptions } from './context.ts'
import { throwItemFailures, type ItemFailure } from './results.ts'

export type ResourceType = 'topic' | 'broker' | 'broker-logger'

const RESOURCE_TYPES: Record<ResourceType, number> = { topic: 2, broker: 4, 'broker-logger': 8 }
const CONFIG_SOURCES = ['unknown', 'dynamic-topic', 'dynamic-broker', 'dynamic-default-broker', 'static-broker', 'default', 'dynamic-broker-logger', 'client-metrics', 'group'] as const

export interface ConfigResource {
  type: ResourceType
  /** Topic name, or broker id as a string. */
  name: string
  /** Only these keys; all when omitted. */
  keys?: string[]
}

export interface ConfigEntry {
  name: string
  value: string | null
  readOnly: boolean
  isDefault: boolean
  isSensitive: boolean
  source: string
}

export interface ConfigAlteration {
  type: ResourceType
  name: string
  set?: Record<string, string>
  delete?: string[]
  append?: Record<string, string>
  subtract?: Record<string, string>
}

function typeCode (type: ResourceType, where: string): number {
  const code = RESOURCE_TYPES[type]
  if (code === undefined) throw new InvalidArgumentError(`${where}: resource type must be topic, broker or broker-logger, got ${String(type)}`)
  return code
}

async function connectionFor (ctx: AdminContext, type: ResourceType, name: string, signal: AbortSignal) {
  if (type === 'topic') return await ctx.cluster.anyConnection({ signal })
  const id = Number(name)
  if (!Number.isInteger(id) || id < 0) throw new InvalidArgumentError(`broker config resource name must be a broker id, got "${name}"`)
  return await ctx.cluster.connection(id, 'default', { signal })
}

export async function describeConfigs (ctx: AdminContext, resources: ConfigResource[], options: CallOptions = {}): Promise<Map<string, ConfigEntry[]>> {
  const operation = 'describeConfigs'
  const types = resources.map((resource, i) => typeCode(resource.type, `${operation}: resources[${i}]`))
  const results = await forEachItem(options, resources.map((resource, i) => ({ resource, resourceType: types[i] as number })), async ({ resource, resourceType }, each) => {
    return await adminCall(ctx, operation, each, async (signal, attempt) => {
      const connection = await connectionFor(ctx, resource.type, resource.name, signal)
      const response = await connection.request(apis.DescribeConfigs, {
        resources: [{ resourceType, resourceName: resource.name, configurationKeys: resource.keys ?? null }],
        includeSynonyms: false,
        includeDocumentation: false,
      }, { signal })
      const result = response.body.results[0] ?? { errorCode: KafkaErrorCode.NONE, configs: [] }
      throwItemFailures(operation, attempt, result.errorCode === KafkaErrorCode.NONE ? [] : [{ item: `${resource.type} ${resource.name}`, errorCode: result.errorCode, message: result.errorMessage }])
      const entries = result.configs.map((c): ConfigEntry => ({
        name: c.name,
        value: c.value ?? null,
        readOnly: c.readOnly,
        isDefault: response.version === 0 ? c.isDefault === true : c.configSource === 5,
        isSensitive: c.isSensitive,
        source: response.version === 0 ? (c.isDefault === true ? 'default' : 'unknown') : CONFIG_SOURCES[c.configSource ?? -1] ?? 'unknown',
      }))
      return [`${resource.type}:${resource.name}`, entries.sort((a, b) => a.name.localeCompare(b.name))] as const
    })
  })
  return new Map(results)
}

export async function incrementalAlterConfigs (ctx: AdminContext, alterations: ConfigAlteration[], options: CallOptions & { validateOnly?: boolean } = {}): Promise<void> {
  const operation = 'incrementalAlterConfigs'
  // Every alteration is checked before any is sent.
  const checked = alterations.map((alteration, i) => {
    const resourceType = typeCode(alteration.type, `${operation}: alterations[${i}]`)
    const configs = [
      ...Object.entries(alteration.set ?? {}).map(([name, value]) => ({ name, configOperation: 0, value })),
      ...(alteration.delete ?? []).map((name) => ({ name, configOperation: 1, value: null })),
      ...Object.entries(alteration.append ?? {}).map(([name, value]) => ({ name, configOperation: 2, value })),
      ...Object.entries(alteration.subtract ?? {}).map(([name, value]) => ({ name, configOperation: 3, value })),
    ]
    if (configs.length === 0) throw new InvalidArgumentError(`${operation}: alterations[${i}] changes nothing (give set, delete, append or subtract)`)
    return { alteration, resourceType, configs }
  })
  await forEachItem(options, checked, async ({ alteration, resourceType, configs }, each) => {
    await adminCall(ctx, operation, each, async (signal, attempt) => {
      const connection = await connectionFor(ctx, alteration.type, alteration.name, signal)
      const response = await connection.request(apis.IncrementalAlterConfigs, {
        resources: [{ resourceType, resourceName: alteration.name, configs }],
        validateOnly: options.validateOnly === true,
      }, { signal })
      const failures: ItemFailure[] = response.body.responses
        .filter((r) => r.errorCode !== KafkaErrorCode.NONE)
        .map((r) => ({ item: `${alteration.type} ${r.resourceName}`, errorCode: r.errorCode, message: r.errorMessage }))
      throwItemFailures(operation, attempt, failures)
    })
  })
}
