/**
 * The manifests directory: KafkaConnector and KafkaRebalance documents, mixed freely across its
 * *.yaml / *.yml files (sorted, not recursive). Connector documents are validated by the connect
 * layer's parser, rebalance documents by the cruise-control schema, both reported with file, line
 * and key; every problem is reported at once and nothing is applied while any remains.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { LineCounter, parseAllDocuments } from 'yaml'
import { checkUnique, issueProblems, ManifestError, problem, parseManifests, type ConnectorManifest, type ManifestProblem } from '../connect/manifest.ts'
import { manifestSchema, type RebalanceManifest } from '../cruise-control/manifest.ts'
import { InvalidArgumentError } from '../resilience/errors.ts'

export type Annotations = Record<string, string>

export interface DeclaredConnector { manifest: ConnectorManifest, annotations: Annotations }
export interface DeclaredRebalance { manifest: RebalanceManifest, annotations: Annotations, source: { file: string, document: number } }

export interface Declared {
  connectors: DeclaredConnector[]
  rebalances: DeclaredRebalance[]
}

const KINDS = ['KafkaConnector', 'KafkaRebalance']

export async function loadDeclared (dir: string): Promise<Declared> {
  let files: string[]
  try {
    files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f))
  } catch (error) {
    throw new InvalidArgumentError(`manifests: cannot read directory ${dir}: ${(error as Error).message}`, { cause: error })
  }
  const problems: ManifestProblem[] = []
  const declared: Declared = { connectors: [], rebalances: [] }
  for (const file of files) {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      throw new InvalidArgumentError(`manifests: cannot read ${file}: ${(error as Error).message}`, { cause: error })
    }
    parseFile(text, file, declared, problems)
  }
  checkUnique(declared.connectors.map((c) => c.manifest), problems)
  const seen = new Map<string, DeclaredRebalance>()
  for (const r of declared.rebalances) {
    const first = seen.get(r.manifest.metadata.name)
    if (first === undefined) seen.set(r.manifest.metadata.name, r)
    else problems.push({ ...r.source, path: 'metadata.name', message: `rebalance ${r.manifest.metadata.name} is already declared in ${first.source.file} (document ${first.source.document})` })
  }
  if (problems.length > 0) throw new ManifestError(problems)
  return declared
}

export function parseFile (text: string, file: string, declared: Declared, problems: ManifestProblem[]): void {
  const lineCounter = new LineCounter()
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false })
  if (!Array.isArray(docs)) return
  const connectorDocs = new Set<number>()
  const annotations = new Map<number, Annotations>()
  docs.forEach((doc, i) => {
    const document = i + 1
    if (doc.errors.length > 0) { connectorDocs.add(document); return }
    const value = doc.toJS() as { kind?: unknown, metadata?: { annotations?: unknown } } | null
    if (value === null || value === undefined) return
    annotations.set(document, stringRecord(value.metadata?.annotations))
    if (value.kind === 'KafkaRebalance') {
      const result = manifestSchema.safeParse(value)
      if (result.success) declared.rebalances.push({ manifest: result.data, annotations: annotations.get(document) ?? {}, source: { file, document } })
      else problems.push(...issueProblems(doc, lineCounter, file, document, result.error.issues))
    } else if (value.kind === 'KafkaConnector') {
      connectorDocs.add(document)
    } else {
      problems.push(problem(doc, lineCounter, file, document, ['kind'], `must be one of ${KINDS.join(', ')}, got ${JSON.stringify(value.kind)}`))
    }
  })
  // The connect parser reads the whole file; its verdicts on documents of other kinds are not ours.
  const connectProblems: ManifestProblem[] = []
  const connectors = parseManifests(text, file, connectProblems)
  problems.push(...connectProblems.filter((p) => connectorDocs.has(p.document)))
  for (const manifest of connectors) declared.connectors.push({ manifest, annotations: annotations.get(manifest.source.document) ?? {} })
}

function stringRecord (value: unknown): Annotations {
  if (value === null || typeof value !== 'object') return {}
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]))
}
