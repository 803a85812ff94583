/**
 * Declared connectors: YAML manifests in the shape Strimzi users already write
 * (`kind: KafkaConnector`, `metadata.name`, `spec.class`, `spec.tasksMax`, `spec.config`,
 * `spec.state`, `spec.autoRestart`). Several documents per file and several files per directory
 * are allowed. Every problem is reported at once, each naming the file, the document, the path
 * inside it (`spec.tasksMax`), its line, and what is wrong, before anything is sent to Connect.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { LineCounter, parseAllDocuments, type Document } from 'yaml'
import { z } from 'zod'
import { InvalidArgumentError, SteadfastError } from '../resilience/errors.ts'
import type { TargetState } from './types.ts'

export type DeclaredState = 'running' | 'paused' | 'stopped'

export interface ConnectorManifest {
  name: string
  class: string
  tasksMax: number
  /** Connector config without the keys the spec sets (connector.class, tasks.max, name). */
  config: Record<string, string>
  state: DeclaredState
  /** Absent in the manifest: disabled. Present: enabled unless `enabled: false`. */
  autoRestart: { enabled: boolean, maxRestarts?: number }
  labels: Record<string, string>
  /** As declared (Strimzi's request annotations are acted on by the agent, refused by `connect apply`). */
  annotations?: Record<string, string>
  /** Where it was declared. */
  source: { file: string, document: number }
}

export interface ManifestProblem {
  file: string
  /** 1-based document index inside the file; 0 for the file as a whole (it could not be read). */
  document: number
  /** Dotted path inside the document, e.g. `spec.tasksMax`; empty for the whole document. */
  path: string
  line?: number
  message: string
}

/** Problems the message lists; a garbage file can have millions, which `problems` still holds. */
export const PROBLEMS_LISTED = 20

/** Invalid manifests; `problems` lists each one. */
export class ManifestError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_MANIFEST'
  readonly problems: ManifestProblem[]
  constructor (problems: ManifestProblem[]) {
    const listed = problems.slice(0, PROBLEMS_LISTED).map(formatProblem)
    if (problems.length > PROBLEMS_LISTED) listed.push(`  … and ${problems.length - PROBLEMS_LISTED} more problem(s)`)
    super(`invalid connector manifest${problems.length > 1 ? 's' : ''}:\n${listed.join('\n')}`, { action: 'fatal', reason: 'invalid-manifest' })
    this.problems = problems
  }
}

export function formatProblem (p: ManifestProblem): string {
  const where = `${p.file}${p.line === undefined ? '' : `:${p.line}`}${p.document === 0 ? '' : ` (document ${p.document})`}`
  return `  ${where}: ${p.path === '' ? '' : `${p.path}: `}${p.message}`
}

const RESERVED_KEYS: Record<string, string> = {
  'connector.class': 'spec.class',
  'tasks.max': 'spec.tasksMax',
  name: 'metadata.name',
}

const connectorName = z.string().min(1, 'must not be empty').refine(
  (n) => !n.includes('/') && ![...n].some((ch) => ch.charCodeAt(0) < 0x20) && n.trim() === n,
  "must not contain '/', control characters or leading/trailing spaces")

/** tasks.max is an INT in Connect: larger values are rejected there, so they are rejected here first. */
const JAVA_INT_MAX = 2_147_483_647

const configValue = z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string, number or boolean' })

const manifestSchema = z.object({
  apiVersion: z.string().optional(),
  kind: z.literal('KafkaConnector', { error: (i) => `must be KafkaConnector, got ${JSON.stringify(i.input)}` }),
  metadata: z.looseObject({
    name: connectorName,
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.object({
    class: z.string().min(1, 'must name the connector class'),
    tasksMax: z.number({ error: (i) => `must be an integer >= 1, got ${typeof i.input === 'number' ? String(i.input) : JSON.stringify(i.input)}` }).int('must be an integer >= 1').min(1, 'must be an integer >= 1')
      .max(JAVA_INT_MAX, `must be at most ${JAVA_INT_MAX} (tasks.max is a Java int)`).optional(),
    config: z.record(z.string(), configValue).optional(),
    state: z.enum(['running', 'paused', 'stopped'], { error: (i) => `must be running, paused or stopped, got ${JSON.stringify(i.input)}` }).optional(),
    autoRestart: z.object({
      enabled: z.boolean().optional(),
      maxRestarts: z.number().int().min(0, 'must be an integer >= 0').optional(),
    }).strict().optional(),
  }).strict(),
  status: z.unknown().optional(),
}).strict()

/** Connect's target state for a declared state. */
export function targetState (state: DeclaredState): TargetState {
  return state.toUpperCase() as TargetState
}

/** The full config the connector should have in Connect. */
export function desiredConfig (m: ConnectorManifest): Record<string, string> {
  return { ...m.config, 'connector.class': m.class, 'tasks.max': String(m.tasksMax), name: m.name }
}

/** Parses one file's text; problems are added to `problems`. */
export function parseManifests (text: string, file: string, problems: ManifestProblem[] = []): ConnectorManifest[] {
  const lineCounter = new LineCounter()
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false })
  const out: ConnectorManifest[] = []
  if (!Array.isArray(docs)) return out
  docs.forEach((doc, i) => {
    const document = i + 1
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const line = lineCounter.linePos(e.pos[0]).line
        problems.push({ file, document, path: '', line, message: `YAML syntax: ${e.message.split('\n')[0] ?? e.code}` })
      }
      return
    }
    let value: unknown
    try {
      value = doc.toJS()
    } catch (error) {
      // The yaml library refuses alias bombs (aliases that expand without bound) here.
      problems.push({ file, document, path: '', message: `YAML: ${(error as Error).message}` })
      return
    }
    if (value === null || value === undefined) return
    const result = manifestSchema.safeParse(value)
    if (!result.success) {
      problems.push(...issueProblems(doc, lineCounter, file, document, result.error.issues))
      return
    }
    const { metadata, spec } = result.data
    const config: Record<string, string> = {}
    let reserved = false
    for (const [key, v] of Object.entries(spec.config ?? {})) {
      const owner = RESERVED_KEYS[key]
      if (owner !== undefined) {
        problems.push(problem(doc, lineCounter, file, document, ['spec', 'config', key], `set by ${owner}; remove it from spec.config`))
        reserved = true
      } else {
        config[key] = String(v)
      }
    }
    if (reserved) return
    out.push({
      name: metadata.name,
      class: spec.class,
      tasksMax: spec.tasksMax ?? 1,
      config,
      state: spec.state ?? 'running',
      autoRestart: spec.autoRestart === undefined
        ? { enabled: false }
        : { enabled: spec.autoRestart.enabled ?? true, ...(spec.autoRestart.maxRestarts === undefined ? {} : { maxRestarts: spec.autoRestart.maxRestarts }) },
      labels: metadata.labels ?? {},
      ...(metadata.annotations === undefined ? {} : { annotations: metadata.annotations }),
      source: { file, document },
    })
  })
  return out
}

/**
 * zod's issues as problems at their line: an unknown key is named with its own path, a missing
 * one "is required". The agent's config file uses the same wording.
 */
export function issueProblems (doc: Document, lineCounter: LineCounter, file: string, document: number, issues: readonly z.core.$ZodIssue[]): ManifestProblem[] {
  const out: ManifestProblem[] = []
  for (const issue of issues) {
    const path = issue.path.map(String)
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push(problem(doc, lineCounter, file, document, [...path, key], 'unknown field'))
    } else {
      const missing = issue.code === 'invalid_type' && /received undefined$/.test(issue.message)
      out.push(problem(doc, lineCounter, file, document, path, missing ? 'is required' : issue.message))
    }
  }
  return out
}

export function problem (doc: Document, lineCounter: LineCounter, file: string, document: number, path: string[], message: string): ManifestProblem {
  const line = lineOf(doc, lineCounter, path)
  return { file, document, path: path.join('.'), ...(line === undefined ? {} : { line }), message }
}

/** The line of the deepest node that exists along `path`. */
function lineOf (doc: Document, lineCounter: LineCounter, path: string[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range
    if (range !== undefined) return lineCounter.linePos(range[0]).line
  }
  return undefined
}

/**
 * Loads manifests from a file or a directory (its *.yaml and *.yml files, sorted, not recursive).
 * Throws ManifestError listing every problem, duplicate names across files included.
 */
export async function loadManifests (path: string): Promise<ConnectorManifest[]> {
  let files: string[]
  try {
    const info = await stat(path)
    files = info.isDirectory()
      ? (await readdir(path)).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(path, f))
      : [path]
  } catch (error) {
    throw new InvalidArgumentError(`connector manifests: cannot read ${path}: ${(error as Error).message}`, { cause: error })
  }
  const problems: ManifestProblem[] = []
  const manifests: ConnectorManifest[] = []
  for (const file of files) {
    const text = await readManifestFile(file, problems)
    if (text !== undefined) manifests.push(...parseManifests(text, file, problems))
  }
  checkUnique(manifests, problems)
  if (problems.length > 0) throw new ManifestError(problems)
  return manifests
}

/**
 * One file's text, or undefined with a problem recorded, so a file that cannot be read does not
 * hide what is wrong in the others. Only regular files are read: a FIFO or a device never ends.
 */
async function readManifestFile (file: string, problems: ManifestProblem[]): Promise<string | undefined> {
  try {
    const info = await stat(file)
    if (!info.isFile()) {
      problems.push({ file, document: 0, path: '', message: 'not a regular file (a FIFO, socket, device or directory); manifests are read from regular files only' })
      return undefined
    }
    return await readFile(file, 'utf8')
  } catch (error) {
    problems.push({ file, document: 0, path: '', message: `cannot read: ${(error as Error).message}` })
    return undefined
  }
}

export function checkUnique (manifests: ConnectorManifest[], problems: ManifestProblem[]): void {
  const seen = new Map<string, ConnectorManifest>()
  for (const m of manifests) {
    const first = seen.get(m.name)
    if (first === undefined) { seen.set(m.name, m); continue }
    problems.push({ file: m.source.file, document: m.source.document, path: 'metadata.name', message: `connector ${m.name} is already declared in ${first.source.file} (document ${first.source.document})` })
  }
}
