/**
 * `steadfast connect …`: declared connectors and day-to-day Connect operations through the
 * rebalance-aware client. Every command takes --url (repeatable or comma-separated: several
 * workers), --timeout (bounds the whole command, retries included), --output table|json|yaml, and
 * basic-auth, header and TLS options.
 */
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { ConnectClient } from '../../connect/client.ts'
import { checkUnique, loadManifests, ManifestError, parseManifests, type ConnectorManifest, type ManifestProblem } from '../../connect/manifest.ts'
import { isCredentialHeader } from '../../rest/options.ts'
import { FileOwnershipStore } from '../../connect/ownership.ts'
import { formatPlan } from '../../connect/plan.ts'
import { Reconciler, type ReconcileResult } from '../../connect/reconciler.ts'
import type { ConnectorOffsetChange, RestartResult } from '../../connect/types.ts'
import { DeadlineExceededError, InvalidArgumentError, SteadfastError } from '../../resilience/errors.ts'
import { readCaFile, readUserFile } from '../files.ts'
import { hasUrlCredentials, warnOnCleartextCredentials } from '../insecure-auth.ts'
import { commandLogger } from '../logging.ts'
import { withProgress } from '../progress.ts'
import { parseDuration, parseOutput, parseTimeout, printResult, type OutputFormat } from '../options.ts'

/** `connect apply` sent its writes, but some failed after their retries (the conditions say which). */
/**
 * `connect apply --dry-run` could not make its plan (the workers unreachable, a request refused):
 * exit 2, not 1, as `kubectl diff` exits above 1 for errors, so that 1 always means "there are changes".
 */
export class DryRunFailedError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_DRY_RUN'
  constructor (message: string, cause: unknown) {
    super(message, { action: 'fatal', reason: 'dry-run-failed', cause })
  }
}

export class ConnectApplyError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_CONNECT_APPLY'
  constructor (message: string) {
    super(message, { action: 'fatal', reason: 'apply-failed' })
  }
}

export const DEFAULT_CONNECT_URL = 'http://127.0.0.1:8083'
export const DEFAULT_STATE_FILE = '.steadfast/connect-state.json'

export interface ConnectCliOptions {
  url: string[]
  timeout: number
  output: OutputFormat
  user?: string
  header: string[]
  caFile?: string
  insecure?: boolean
  allowInsecureAuth?: boolean
}

function collectUrls (value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((u) => u.trim()).filter((u) => u !== '')]
}

function collect (value: string, previous: string[]): string[] {
  return [...previous, value]
}

function parseTask (text: string): number {
  if (!/^\d+$/.test(text)) throw new InvalidArgumentError(`--task: "${text}" is not a task id (an integer >= 0)`)
  return Number(text)
}

/** Adds the options every Connect command takes. */
export function withConnectOptions (command: Command): Command {
  return command
    .option('--url <url>', `worker URL; repeat or comma-separate for several workers ($STEADFAST_CONNECT_URL, default ${DEFAULT_CONNECT_URL})`, collectUrls, [])
    .option('--timeout <duration>', 'bound on the whole command, retries included, e.g. 30s, 2m', parseTimeout, 60_000)
    .option('-o, --output <format>', 'table, json or yaml', parseOutput, 'table' as OutputFormat)
    .option('--user <name>', 'basic-auth user; the password comes from $STEADFAST_CONNECT_PASSWORD')
    .option('--header <name=value>', 'extra request header (repeatable)', collect, [])
    .option('--ca-file <path>', 'PEM file of the CA that signed the workers\' certificates')
    .option('--insecure', 'do not verify the workers\' certificates')
    .option('--allow-insecure-auth', 'send credentials to http:// URLs without the cleartext warning')
}

function urlsOf (options: ConnectCliOptions): string[] {
  if (options.url.length > 0) return options.url
  return collectUrls(process.env.STEADFAST_CONNECT_URL ?? DEFAULT_CONNECT_URL, [])
}

export function clientFromOptions (options: ConnectCliOptions): ConnectClient {
  const ca = options.caFile === undefined ? undefined : readCaFile(options.caFile)
  const headers: Record<string, string> = {}
  for (const h of options.header) {
    const eq = h.indexOf('=')
    if (eq <= 0) throw new InvalidArgumentError(`--header: "${h}" is not name=value`)
    headers[h.slice(0, eq).trim()] = h.slice(eq + 1)
  }
  let auth: { username: string, password: string } | undefined
  if (options.user !== undefined) {
    const password = process.env.STEADFAST_CONNECT_PASSWORD
    if (password === undefined) throw new InvalidArgumentError('--user: set the password in $STEADFAST_CONNECT_PASSWORD')
    auth = { username: options.user, password }
  }
  const urls = urlsOf(options)
  warnOnCleartextCredentials({
    urls,
    credentials: auth !== undefined || urls.some(hasUrlCredentials) || Object.keys(headers).some(isCredentialHeader),
    allowInsecureAuth: options.allowInsecureAuth === true,
  })
  return new ConnectClient({
    urls,
    headers,
    ...(auth === undefined ? {} : { auth }),
    ...(ca !== undefined || options.insecure === true ? { tls: { ...(ca === undefined ? {} : { ca }), rejectUnauthorized: options.insecure !== true } } : {}),
    policy: { deadlineMs: options.timeout },
    logger: commandLogger(),
  })
}

/**
 * Runs `fn` with a client and a signal that fires at --timeout; the client is closed afterwards.
 * A command stopped by its timeout fails with DeadlineExceededError naming the command.
 */
async function withClient<T> (what: string, options: ConnectCliOptions, fn: (client: ConnectClient, signal: AbortSignal) => Promise<T>): Promise<T> {
  const client = clientFromOptions(options)
  const signal = AbortSignal.timeout(options.timeout)
  const started = Date.now()
  try {
    return await withProgress(`waiting for Kafka Connect at ${urlsOf(options).join(', ')}`, async () => await fn(client, signal))
  } catch (error) {
    if (signal.aborted && !(error instanceof DeadlineExceededError)) {
      const cause = error instanceof Error ? `: ${error.message}` : ''
      throw new DeadlineExceededError(`connect ${what}: not done within --timeout ${options.timeout} ms${cause}`, { attempts: 1, elapsedMs: Date.now() - started, cause: error })
    }
    throw error
  } finally {
    await client.close()
  }
}

function resultRows (result: ReconcileResult): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = result.connectors.map((c) => ({
    name: c.name,
    managed: c.managed ? 'yes' : 'no',
    actions: c.actions.map((a) => a.type).join(',') || '-',
    condition: c.condition.type,
    reason: c.condition.reason ?? '',
    message: c.condition.message ?? '',
  }))
  for (const name of result.deleted) rows.push({ name, managed: 'yes', actions: 'delete', condition: 'Deleted', reason: '', message: '' })
  for (const name of result.unmanaged) rows.push({ name, managed: 'no', actions: '-', condition: 'Unmanaged', reason: '', message: 'not declared and not created by steadfast: left alone' })
  return rows
}

function restartRows (name: string, result: RestartResult): Array<Record<string, unknown>> {
  if (result.outcome !== 'restarting') return [{ name, outcome: result.outcome, detail: result.outcome === 'superseded' ? 'a worker-group rebalance restarts it anyway' : '' }]
  return [
    { name, outcome: result.outcome, detail: `connector ${result.status.connector.state}` },
    ...result.status.tasks.map((t) => ({ name: `${name}/${t.id}`, outcome: result.outcome, detail: `task ${t.state}` })),
  ]
}

function parseOffsets (text: string): ConnectorOffsetChange[] {
  let source = text
  if (text.startsWith('@')) source = readUserFile(text.slice(1), '--offsets')
  let parsed: unknown
  try {
    parsed = JSON.parse(source)
  } catch (error) {
    throw new InvalidArgumentError(`--offsets: not JSON: ${(error as Error).message}`, { cause: error })
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { offsets?: unknown } | null)?.offsets
  if (!Array.isArray(list) || list.length === 0) throw new InvalidArgumentError('--offsets: expected a non-empty JSON array of {"partition": {...}, "offset": {...}} (or {"offsets": [...]})')
  list.forEach((entry: unknown, i) => {
    const e = entry as { partition?: unknown, offset?: unknown } | null
    if (typeof e?.partition !== 'object' || e.partition === null) throw new InvalidArgumentError(`--offsets: [${i}].partition must be an object`)
    if (e.offset !== null && typeof e.offset !== 'object') throw new InvalidArgumentError(`--offsets: [${i}].offset must be an object or null`)
  })
  return list as ConnectorOffsetChange[]
}

/**
 * Strimzi's one-shot request annotations on a KafkaConnector. Its operator acts on one and then
 * removes it; a file applied again and again would repeat the action every time (the agent, which
 * keeps state between passes, acts on each once). `connect apply` refuses them, naming the command
 * that does the same once.
 */
const ONE_SHOT_ANNOTATIONS: Record<string, string> = {
  'strimzi.io/restart': 'run `steadfast connect restart <name>` instead',
  'strimzi.io/restart-task': 'run `steadfast connect restart <name> --task <id>` instead',
  'strimzi.io/pause-reconciliation': 'leave the manifest out of the set applied, or set spec.state',
}

function refuseOneShotAnnotations (manifests: ConnectorManifest[]): ConnectorManifest[] {
  const problems: ManifestProblem[] = manifests.flatMap((m) => Object.keys(m.annotations ?? {})
    .filter((key) => ONE_SHOT_ANNOTATIONS[key] !== undefined)
    .map((key) => ({ file: m.source.file, document: m.source.document, path: `metadata.annotations.${key}`, message: `a one-shot Strimzi operator request, refused by connect apply, which may run again and again: ${ONE_SHOT_ANNOTATIONS[key] ?? ''}` })))
  if (problems.length > 0) throw new ManifestError(problems)
  return manifests
}

/** Manifests piped in (`-f -`), checked as a file's are; problems name "stdin". */
function manifestsFromStdin (): ConnectorManifest[] {
  let text: string
  try {
    text = readFileSync(0, 'utf8')
  } catch (error) {
    throw new InvalidArgumentError(`-f -: cannot read stdin: ${(error as Error).message}`, { cause: error })
  }
  const problems: ManifestProblem[] = []
  const manifests = parseManifests(text, 'stdin', problems)
  checkUnique(manifests, problems)
  if (problems.length > 0) throw new ManifestError(problems)
  return manifests
}

export function register (connect: Command): void {
  withConnectOptions(connect.command('apply'))
    .description('Make the cluster match KafkaConnector manifests (a YAML file or a directory of them); deletes nothing unless --prune')
    .requiredOption('-f, --file <path>', 'manifest file or directory ("-" for stdin)')
    .option('--dry-run', 'print the plan as a diff and change nothing; exit 1 when there are changes, 0 when none, 2 when no plan could be made (as kubectl diff)')
    .option('--wait', 'pass again until every connector and task is in its declared state (RUNNING, PAUSED, STOPPED), none still being moved by a worker rebalance (or --timeout)')
    .option('--interval <duration>', 'time between passes with --wait', (t: string) => parseDuration(t, '--interval'), 2_000)
    .option('--state <file>', 'ownership ledger: which connectors steadfast created', DEFAULT_STATE_FILE)
    .option('--prune', 'delete the connectors steadfast created (per --state) that the manifests given no longer declare')
    .option('--allow-empty', 'accept manifests that declare no connector (with --prune: every connector steadfast created is deleted)')
    .option('--concurrency <n>', 'connectors handled at once', (t: string) => {
      if (!/^\d+$/.test(t) || Number(t) < 1) throw new InvalidArgumentError(`--concurrency: "${t}" is not an integer >= 1`)
      return Number(t)
    }, 8)
    .addHelpText('after', `
Only the connectors steadfast created (recorded in --state) are ever deleted, and only with --prune:
connectors declared in other files, or made by other tools, are left alone.`)
    .action(async (options: ConnectCliOptions & { file: string, dryRun?: boolean, wait?: boolean, interval: number, state: string, prune?: boolean, allowEmpty?: boolean, concurrency: number }) => {
      const manifests = refuseOneShotAnnotations(options.file === '-' ? manifestsFromStdin() : await loadManifests(options.file))
      await withClient('apply', options, async (client, signal) => {
        const reconciler = new Reconciler({
          client,
          store: new FileOwnershipStore(options.state),
          prune: options.prune === true,
          pruneUnmanaged: false,
          allowEmpty: options.allowEmpty === true,
          concurrency: options.concurrency,
        })
        if (options.dryRun === true) {
          const plan = await reconciler.plan(manifests, { signal }).catch((error: unknown) => {
            throw new DryRunFailedError(`connect apply --dry-run: no plan: ${error instanceof Error ? error.message : String(error)}`, error)
          })
          if (options.output === 'table') process.stdout.write(formatPlan(plan.actions))
          else printResult(options.output, { actions: plan.actions, unmanaged: plan.unmanaged }, [], [])
          if (plan.actions.length > 0) process.exitCode = 1
          return
        }
        const result = options.wait === true
          ? await reconciler.converge(manifests, { signal, timeoutMs: options.timeout, intervalMs: options.interval })
          : await reconciler.reconcile(manifests, { signal })
        printResult(options.output, result, resultRows(result), ['name', 'managed', 'actions', 'condition', 'reason', 'message'])
        const failed = result.connectors.filter((c) => c.condition.reason === 'Error')
        if (failed.length > 0) {
          throw new ConnectApplyError(`connect apply: ${failed.length} connector(s) could not be reconciled: ${failed.map((c) => `${c.name} (${c.condition.message ?? ''})`).join('; ')}`)
        }
        if (options.wait === true && !result.settled) {
          const waiting = result.connectors.filter((c) => c.condition.type !== 'Ready' || c.condition.reason === 'Reassigning' || c.actions.length > 0)
          throw new DeadlineExceededError(`connect apply --wait: not every connector and task is in its declared state within ${options.timeout} ms (${waiting.map((c) => c.condition.reason === 'Reassigning' ? `${c.name}: still being moved by a worker rebalance` : c.name).join(', ')})`, { attempts: 1, elapsedMs: options.timeout })
        }
      })
    })

  withConnectOptions(connect.command('get'))
    .description('List connectors, or show one connector\'s config and tasks')
    .argument('[name]', 'connector')
    .action(async (name: string | undefined, options: ConnectCliOptions) => {
      await withClient('get', options, async (client, signal) => {
        if (name === undefined) {
          const all = await client.listConnectorsExpanded({ status: true, info: true }, { signal })
          const rows = Object.entries(all).sort(([a], [b]) => a.localeCompare(b)).map(([n, c]) => ({
            name: n, type: c.info?.type ?? c.status?.type ?? '', class: c.info?.config['connector.class'] ?? '', state: c.status?.connector.state ?? '', tasks: c.status?.tasks.length ?? 0,
          }))
          printResult(options.output, all, rows, ['name', 'type', 'class', 'state', 'tasks'])
          return
        }
        const info = await client.getConnector(name, { signal })
        const rows = Object.keys(info.config).sort().map((key) => ({ key, value: info.config[key] }))
        printResult(options.output, info, rows, ['key', 'value'])
      })
    })

  withConnectOptions(connect.command('status'))
    .description('Connector and task states (all connectors, or one with its traces)')
    .argument('[name]', 'connector')
    .action(async (name: string | undefined, options: ConnectCliOptions) => {
      await withClient('status', options, async (client, signal) => {
        if (name === undefined) {
          const all = await client.listConnectorsExpanded({ status: true }, { signal })
          const rows = Object.entries(all).sort(([a], [b]) => a.localeCompare(b)).map(([n, c]) => {
            const tasks = c.status?.tasks ?? []
            return { name: n, state: c.status?.connector.state ?? '', worker: c.status?.connector.worker_id ?? '', running: `${tasks.filter((t) => t.state === 'RUNNING').length}/${tasks.length}`, failed: tasks.filter((t) => t.state === 'FAILED').map((t) => t.id).join(',') }
          })
          printResult(options.output, all, rows, ['name', 'state', 'worker', 'running', 'failed'])
          return
        }
        const status = await client.getConnectorStatus(name, { signal })
        const line = (trace?: string): string => (trace ?? '').split('\n')[0] ?? ''
        const rows = [
          { instance: 'connector', state: status.connector.state, worker: status.connector.worker_id, trace: line(status.connector.trace) },
          ...status.tasks.map((t) => ({ instance: `task ${t.id}`, state: t.state, worker: t.worker_id, trace: line(t.trace) })),
        ]
        printResult(options.output, status, rows, ['instance', 'state', 'worker', 'trace'])
      })
    })

  withConnectOptions(connect.command('restart'))
    .description('Restart a connector (and its tasks, or only failed ones), or one task')
    .argument('<name>', 'connector')
    .option('--include-tasks', 'restart the tasks too')
    .option('--only-failed', 'restart only FAILED instances')
    .option('--task <n>', 'restart only this task', parseTask)
    .action(async (name: string, options: ConnectCliOptions & { includeTasks?: boolean, onlyFailed?: boolean, task?: number }) => {
      if (options.task !== undefined && (options.includeTasks === true || options.onlyFailed === true)) {
        throw new InvalidArgumentError('--task restarts one task; it cannot be combined with --include-tasks or --only-failed')
      }
      await withClient('restart', options, async (client, signal) => {
        const result = options.task !== undefined
          ? await client.restartTask(name, options.task, { signal })
          : await client.restartConnector(name, { includeTasks: options.includeTasks === true, onlyFailed: options.onlyFailed === true }, { signal })
        printResult(options.output, { name, ...(options.task === undefined ? {} : { task: options.task }), ...result }, restartRows(options.task === undefined ? name : `${name}/${options.task}`, result), ['name', 'outcome', 'detail'])
      })
    })

  const simple: Array<[string, string, string, (c: ConnectClient, name: string, signal: AbortSignal) => Promise<void>]> = [
    ['pause', 'Pause a connector and its tasks', 'paused', (c, n, signal) => c.pauseConnector(n, { signal })],
    ['resume', 'Resume a paused or stopped connector', 'resumed', (c, n, signal) => c.resumeConnector(n, { signal })],
    ['stop', 'Stop a connector (no tasks; offsets can then be changed)', 'stopped', (c, n, signal) => c.stopConnector(n, { signal })],
    ['delete', 'Delete a connector', 'deleted', (c, n, signal) => c.deleteConnector(n, { signal })],
  ]
  for (const [command, description, done, call] of simple) {
    withConnectOptions(connect.command(command))
      .description(description)
      .argument('<name>', 'connector')
      .action(async (name: string, options: ConnectCliOptions) => {
        await withClient(command, options, async (client, signal) => { await call(client, name, signal) })
        printResult(options.output, { name, result: done }, [{ name, result: done }], ['name', 'result'])
      })
  }

  const offsets = connect.command('offsets').description('List, alter or reset a connector\'s offsets')
  withConnectOptions(offsets.command('get'))
    .description('List committed offsets')
    .argument('<name>', 'connector')
    .action(async (name: string, options: ConnectCliOptions) => {
      const list = await withClient('offsets get', options, (client, signal) => client.getOffsets(name, { signal }))
      printResult(options.output, { offsets: list }, list.map((o) => ({ partition: o.partition, offset: o.offset })), ['partition', 'offset'])
    })
  withConnectOptions(offsets.command('alter'))
    .description('Alter offsets (the connector must be STOPPED; --stop-first stops it)')
    .argument('<name>', 'connector')
    .requiredOption('--offsets <json|@file>', 'JSON array of {"partition": {...}, "offset": {...}} (null offset removes it)')
    .option('--stop-first', 'stop the connector and wait for STOPPED before altering')
    .action(async (name: string, options: ConnectCliOptions & { offsets: string, stopFirst?: boolean }) => {
      const changes = parseOffsets(options.offsets)
      const message = await withClient('offsets alter', options, (client, signal) => new Reconciler({ client }).alterOffsets(name, changes, { signal, stopFirst: options.stopFirst === true }))
      printResult(options.output, { name, message }, [{ name, message }], ['name', 'message'])
    })
  withConnectOptions(offsets.command('reset'))
    .description('Reset every offset (the connector must be STOPPED; --stop-first stops it)')
    .argument('<name>', 'connector')
    .option('--stop-first', 'stop the connector and wait for STOPPED before resetting')
    .action(async (name: string, options: ConnectCliOptions & { stopFirst?: boolean }) => {
      const message = await withClient('offsets reset', options, (client, signal) => new Reconciler({ client }).resetOffsets(name, { signal, stopFirst: options.stopFirst === true }))
      printResult(options.output, { name, message }, [{ name, message }], ['name', 'message'])
    })

  withConnectOptions(connect.command('plugins'))
    .description('Installed connector plugins')
    .option('--all', 'include transformations, converters and predicates')
    .action(async (options: ConnectCliOptions & { all?: boolean }) => {
      const plugins = await withClient('plugins', options, (client, signal) => client.listPlugins({ connectorsOnly: options.all !== true }, { signal }))
      printResult(options.output, plugins, plugins.map((p) => ({ class: p.class, type: p.type, version: p.version ?? '' })), ['class', 'type', 'version'])
    })
}
