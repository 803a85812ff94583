/**
 * Rebalance manifests in the shape Strimzi users know (kind: KafkaRebalance), read from YAML or
 * JSON and validated with errors that name the file, the path in the document and what is wrong.
 */
import { parseAllDocuments } from 'yaml'
import { z } from 'zod'
import { InvalidArgumentError } from '../resilience/errors.ts'
import {
  addBrokerRequest, rebalanceRequest, removeBrokerRequest, removeDisksRequest,
  type OperationRequest, type OptimizationOptions,
} from './operations.ts'

export const AUTO_APPROVAL_ANNOTATION = 'strimzi.io/rebalance-auto-approval'

export const REBALANCE_MODES = ['full', 'add-brokers', 'remove-brokers', 'remove-disks'] as const
export type RebalanceMode = typeof REBALANCE_MODES[number]

const brokerId = z.number().int().min(0)
const positiveInt = z.number().int().min(1)

/** A KafkaRebalance name: what Kubernetes accepts for a resource name, so it is also a safe file name. */
const nameSchema = z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'must be lower-case letters, digits, "-" or "." (at most 253), starting and ending with a letter or digit')

export const rebalanceSpecSchema = z.strictObject({
  mode: z.enum(REBALANCE_MODES).default('full'),
  brokers: z.array(brokerId).min(1).optional(),
  moveReplicasOffVolumes: z.array(z.strictObject({
    brokerId,
    logDirs: z.array(z.string().min(1)).min(1),
  })).min(1).optional(),
  goals: z.array(z.string().min(1)).min(1).optional(),
  skipHardGoalCheck: z.boolean().optional(),
  rebalanceDisk: z.boolean().optional(),
  excludedTopics: z.string().min(1).optional(),
  concurrentPartitionMovementsPerBroker: positiveInt.optional(),
  concurrentIntraBrokerPartitionMovements: positiveInt.optional(),
  concurrentLeaderMovements: positiveInt.optional(),
  maxPartitionMovementsInCluster: positiveInt.optional(),
  replicationThrottle: z.number().int().min(0).optional(),
  replicaMovementStrategies: z.array(z.string().min(1)).min(1).optional(),
  /** steadfast's field for what Strimzi does with the auto-approval annotation. */
  autoApproval: z.boolean().optional(),
}).superRefine((spec, ctx) => {
  const needsBrokers = spec.mode === 'add-brokers' || spec.mode === 'remove-brokers'
  if (needsBrokers && spec.brokers === undefined) ctx.addIssue({ code: 'custom', path: ['brokers'], message: `required when mode is ${spec.mode}` })
  if (!needsBrokers && spec.brokers !== undefined) ctx.addIssue({ code: 'custom', path: ['brokers'], message: `not allowed when mode is ${spec.mode} (only add-brokers and remove-brokers take brokers)` })
  if (spec.mode === 'remove-disks' && spec.moveReplicasOffVolumes === undefined) ctx.addIssue({ code: 'custom', path: ['moveReplicasOffVolumes'], message: 'required when mode is remove-disks' })
  if (spec.mode !== 'remove-disks' && spec.moveReplicasOffVolumes !== undefined) ctx.addIssue({ code: 'custom', path: ['moveReplicasOffVolumes'], message: `only allowed when mode is remove-disks, not ${spec.mode}` })
  if (spec.rebalanceDisk === true && spec.mode !== 'full') ctx.addIssue({ code: 'custom', path: ['rebalanceDisk'], message: 'only allowed when mode is full' })
})

export const manifestSchema = z.strictObject({
  apiVersion: z.string().optional(),
  kind: z.literal('KafkaRebalance'),
  metadata: z.looseObject({
    name: nameSchema,
    annotations: z.record(z.string(), z.string()).optional(),
    labels: z.record(z.string(), z.string()).optional(),
  }),
  spec: rebalanceSpecSchema.default({ mode: 'full' }),
})

export type RebalanceSpec = z.infer<typeof rebalanceSpecSchema>
export type RebalanceManifest = z.infer<typeof manifestSchema>

/** Validates a parsed document; `source` names it in errors (a file name, or "--mode options"). */
export function validateManifest (document: unknown, source: string): RebalanceManifest {
  const result = manifestSchema.safeParse(document)
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.length === 0 ? '(document)' : issue.path.map(String).join('.')
    return `${path}: ${issue.message}`
  })
  throw new InvalidArgumentError(`${source}: invalid KafkaRebalance: ${problems.join('; ')}`)
}

/** Parses YAML (or JSON) text holding one or more KafkaRebalance documents. */
export function parseManifests (text: string, source: string): RebalanceManifest[] {
  const documents = parseAllDocuments(text)
  const list = Array.isArray(documents) ? documents : [documents]
  const manifests: RebalanceManifest[] = []
  for (const [i, doc] of list.entries()) {
    const where = list.length > 1 ? `${source} (document ${i + 1})` : source
    const error = doc.errors[0]
    if (error !== undefined) {
      const at = error.linePos?.[0]
      const line = at === undefined ? '' : ` at line ${at.line}, column ${at.col}`
      throw new InvalidArgumentError(`${where}: not valid YAML${line}: ${error.message.split('\n')[0]}`)
    }
    let value: unknown
    try {
      value = doc.toJS()
    } catch (error) {
      // The yaml library refuses alias bombs (aliases that expand without bound) here.
      throw new InvalidArgumentError(`${where}: not valid YAML: ${(error as Error).message}`, { cause: error })
    }
    if (value === null || value === undefined) continue
    manifests.push(validateManifest(value, where))
  }
  if (manifests.length === 0) throw new InvalidArgumentError(`${source}: no KafkaRebalance document found`)
  const names = new Set<string>()
  for (const m of manifests) {
    if (names.has(m.metadata.name)) throw new InvalidArgumentError(`${source}: metadata.name ${m.metadata.name} appears more than once`)
    names.add(m.metadata.name)
  }
  return manifests
}

/** True when the manifest asks for its proposal to be executed without a manual approve. */
export function isAutoApproved (manifest: RebalanceManifest): boolean {
  const annotation = manifest.metadata.annotations?.[AUTO_APPROVAL_ANNOTATION]
  return manifest.spec.autoApproval ?? annotation === 'true'
}

/** The Cruise Control request for a spec, as a dry run (the lifecycle switches dryrun off to execute). */
export function proposalRequest (spec: RebalanceSpec): OperationRequest {
  const options: OptimizationOptions = {
    dryRun: true,
    goals: spec.goals,
    skipHardGoalCheck: spec.skipHardGoalCheck,
    excludedTopics: spec.excludedTopics,
    concurrentPartitionMovementsPerBroker: spec.concurrentPartitionMovementsPerBroker,
    concurrentIntraBrokerPartitionMovements: spec.concurrentIntraBrokerPartitionMovements,
    concurrentLeaderMovements: spec.concurrentLeaderMovements,
    maxPartitionMovementsInCluster: spec.maxPartitionMovementsInCluster,
    replicationThrottle: spec.replicationThrottle,
    replicaMovementStrategies: spec.replicaMovementStrategies,
  }
  switch (spec.mode) {
    case 'full': return rebalanceRequest({ ...options, rebalanceDisk: spec.rebalanceDisk })
    case 'add-brokers': return addBrokerRequest(spec.brokers ?? [], options)
    case 'remove-brokers': return removeBrokerRequest(spec.brokers ?? [], options)
    case 'remove-disks': {
      const dirs: Record<number, string[]> = {}
      for (const v of spec.moveReplicasOffVolumes ?? []) dirs[v.brokerId] = [...(dirs[v.brokerId] ?? []), ...v.logDirs]
      return removeDisksRequest(dirs, options)
    }
  }
}
