/**
 * The Cruise Control client's options, checked with the shared zod parser before any request: an
 * unknown key or a bad value is refused with the option, the value and the rule.
 */
import type { CruiseControlClientOptions } from './client.ts'
import { integer, logger, nonEmptyString, options, parseOptions, registry, retryOption } from '../resilience/options.ts'
import { basicAuthSchema, restTlsSchema } from '../rest/options.ts'

const schema = options({
  url: nonEmptyString(),
  auth: basicAuthSchema,
  tls: restTlsSchema,
  maxActiveUserTasks: integer(1),
  requestTimeoutMs: integer(1),
  retry: retryOption(),
  operationTimeoutMs: integer(1),
  pollIntervalMs: integer(0),
  userAgent: nonEmptyString(),
  logger: logger(),
  registry: registry(),
  clientId: nonEmptyString(),
})

export function checkCruiseControlOptions (given: CruiseControlClientOptions): void {
  parseOptions('cruise control client', schema, given)
}
