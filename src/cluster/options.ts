/**
 * The cluster client's options as a zod shape, checked by the shared parser when a Cluster is
 * made. The admin client, producer and consumer pass these through to the cluster they make, so
 * their own schemas reuse the fields from here.
 */
import { z } from 'zod'
import { integer, logger, nonEmptyString, oneOf, options, registry, satisfying } from '../resilience/options.ts'

/** A bootstrap source (src/cluster/bootstrap-source.ts): a list, a function that gives one, or a watched file. */
export const bootstrapField = satisfying((v) => (typeof v === 'string' && v.trim() !== '') || (Array.isArray(v) && v.length > 0 && v.every((a) => typeof a === 'string')) ||
  typeof v === 'function' || (typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { file?: unknown }).file === 'string' && (v as { file: string }).file !== ''),
'host:port[,…], a non-empty list of them, a function returning one, or { file }')

export const clusterOptionFields = {
  bootstrap: bootstrapField,
  clientId: nonEmptyString(),
  tls: satisfying((v) => typeof v === 'boolean' || (typeof v === 'object' && v !== null && !Array.isArray(v)), 'true, false or node:tls options'),
  sasl: z.strictObject({
    mechanism: oneOf(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']),
    username: nonEmptyString(),
    password: satisfying((v) => typeof v === 'string', 'a string'),
  }, { error: '{ mechanism, username, password }' }),
  connectTimeoutMs: integer(1),
  requestTimeoutMs: integer(1),
  maxInFlight: integer(1),
  maxFrameBytes: integer(1024),
  apiVersionsVersion: integer(0),
  metadataMaxAgeMs: integer(0),
  bootstrapRefreshIntervalMs: integer(0),
  endpointCheck: z.strictObject({
    intervalMs: integer(1),
    rebuildShare: satisfying((v) => typeof v === 'number' && v > 0 && v <= 1, 'a number above 0 and at most 1').optional(),
    minRebuildIntervalMs: integer(0).optional(),
  }, { error: '{ intervalMs, rebuildShare?, minRebuildIntervalMs? }' }),
  logger: logger(),
  clock: satisfying((v) => typeof (v as { now?: unknown } | undefined)?.now === 'function', 'a Clock'),
  registry: registry(),
}

export const clusterOptionsSchema = options(clusterOptionFields)
