/**
 * `steadfast rebalance create|list|status|approve|refresh|stop|delete`: KafkaRebalance-style
 * rebalances against Cruise Control, with their state kept in a state directory so every command
 * (and a restarted one) continues the same operation.
 */
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { stringify as toYaml } from 'yaml'
import { RebalanceLifecycle, type RebalanceRecord, type RebalanceState } from '../../cruise-control/lifecycle.ts'
import { REBALANCE_MODES, parseManifests, validateManifest, type RebalanceManifest } from '../../cruise-control/manifest.ts'
import { JsonStateStore, defaultStateDir } from '../../cruise-control/state-store.ts'
import { AbortedError, DeadlineExceededError, InvalidArgumentError, SteadfastError } from '../../resilience/errors.ts'
import { readUserFile } from '../files.ts'
import { commandLogger } from '../logging.ts'
import { clearStatus, showStatus, writeStderr } from '../status-line.ts'
import { parseDuration, printResult, renderTable } from '../options.ts'
import { withClient, withCruiseControlOptions, type CruiseControlCliOptions } from './cc.ts'

interface RebalanceCliOptions extends CruiseControlCliOptions {
  stateDir: string
}

interface CreateOptions extends RebalanceCliOptions {
  file?: string
  mode?: string
  name: string
  brokers?: string
  goals?: string
  excludedTopics?: string
  skipHardGoalCheck?: boolean
  autoApprove?: boolean
  wait: boolean
}

/** A command waited for rebalances and at least one ended NotReady: a non-zero exit, after the records are shown. */
export class RebalanceNotReadyError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_REBALANCE_NOT_READY'
  constructor (records: RebalanceRecord[]) {
    super(records.map((r) => `rebalance ${r.name} is NotReady: ${r.reason ?? 'no reason recorded'}`).join('; '), { action: 'fatal', reason: 'rebalance-not-ready' })
  }
}

function failIfNotReady (records: RebalanceRecord[]): void {
  const failed = records.filter((r) => r.state === 'NotReady')
  if (failed.length > 0) throw new RebalanceNotReadyError(failed)
}

/**
 * A create whose rebalances are still New: Cruise Control never took the request (unreachable, or
 * only transient failures). The rebalance is recorded and `status` tries again, but the command did
 * not do what it was asked: a non-zero exit, after the records are shown.
 */
export class RebalanceNotStartedError extends SteadfastError {
  override readonly code = 'STEADFAST_ERR_REBALANCE_NOT_STARTED'
  constructor (records: RebalanceRecord[], url: string) {
    super(records.map((r) => `rebalance ${r.name} is still New: Cruise Control at ${url} did not take the request (${r.lastTransientError?.message ?? 'no answer'}); \`steadfast rebalance status ${r.name}\` tries again`).join('; '),
      { action: 'fatal', reason: 'rebalance-not-started' })
  }
}

function failIfNotStarted (records: RebalanceRecord[], url: string): void {
  const stuck = records.filter((r) => r.state === 'New')
  if (stuck.length > 0) throw new RebalanceNotStartedError(stuck, url)
}

/** Where the command stops waiting: the states a person has to look at, or that are final. */
const SETTLED: RebalanceState[] = ['ProposalReady', 'Ready', 'NotReady', 'Stopped']

/** Runs `run` with a lifecycle on the state directory; `progress` false for a command that draws its own. */
function lifecycleFor (options: RebalanceCliOptions, run: (lifecycle: RebalanceLifecycle) => Promise<void>, progress = true): Promise<void> {
  return withClient(options, async (client) => {
    await run(new RebalanceLifecycle({ client, store: new JsonStateStore<RebalanceRecord>(options.stateDir), logger: commandLogger() }))
  }, progress)
}

function withRebalanceOptions (command: Command): Command {
  return withCruiseControlOptions(command)
    .option('--state-dir <dir>', 'where rebalance state is kept ($STEADFAST_STATE_DIR, else $XDG_STATE_HOME or ~/.local/state, /steadfast/cruise-control)', defaultStateDir())
}

function parseIdList (text: string, what: string): number[] {
  const ids = text.split(',').map((s) => s.trim())
  for (const id of ids) {
    if (!/^\d+$/.test(id)) throw new InvalidArgumentError(`${what}: "${id}" is not a broker id (a non-negative integer)`)
  }
  return ids.map(Number)
}

/**
 * Strimzi's `strimzi.io/rebalance` request in a manifest given to `rebalance create`: approve is
 * honoured (the proposal is executed once ready, as with auto-approval); refresh and stop are
 * one-shot requests the operator removes once done, so they are refused, naming their commands.
 */
function withRebalanceRequest (manifest: RebalanceManifest, source: string): RebalanceManifest {
  const request = manifest.metadata.annotations?.['strimzi.io/rebalance']
  if (request === undefined) return manifest
  if (request === 'approve') return { ...manifest, spec: { ...manifest.spec, autoApproval: manifest.spec.autoApproval ?? true } }
  throw new InvalidArgumentError(`${source}: metadata.annotations.strimzi.io/rebalance: "${request}" is refused (only approve is honoured in a manifest): run \`steadfast rebalance ${request} ${manifest.metadata.name}\` instead`)
}

/** The manifests a create command describes: from -f, or built from --mode and friends. */
export function manifestsFromOptions (options: CreateOptions): RebalanceManifest[] {
  const flagged = options.mode !== undefined || options.brokers !== undefined || options.goals !== undefined || options.excludedTopics !== undefined || options.skipHardGoalCheck === true
  let manifests: RebalanceManifest[]
  if (options.file !== undefined) {
    if (flagged) throw new InvalidArgumentError('-f: give the rebalance either in a file or with --mode/--brokers/--goals/--excluded-topics, not both')
    const text = options.file === '-' ? readStdin() : readUserFile(options.file, '-f')
    manifests = parseManifests(text, options.file === '-' ? 'stdin' : options.file).map((m) => withRebalanceRequest(m, options.file === '-' ? 'stdin' : options.file ?? ''))
  } else {
    if (options.mode === undefined) throw new InvalidArgumentError(`give -f <file> or --mode <${REBALANCE_MODES.join('|')}>`)
    const spec: Record<string, unknown> = { mode: options.mode }
    if (options.brokers !== undefined) spec.brokers = parseIdList(options.brokers, '--brokers')
    if (options.goals !== undefined) spec.goals = options.goals.split(',').map((g) => g.trim()).filter((g) => g !== '')
    if (options.excludedTopics !== undefined) spec.excludedTopics = options.excludedTopics
    if (options.skipHardGoalCheck === true) spec.skipHardGoalCheck = true
    manifests = [validateManifest({ kind: 'KafkaRebalance', metadata: { name: options.name }, spec }, 'command-line options')]
  }
  if (options.autoApprove === true) {
    manifests = manifests.map((m) => ({ ...m, spec: { ...m.spec, autoApproval: true } }))
  }
  return manifests
}

function readStdin (): string {
  try {
    return readFileSync(0, 'utf8')
  } catch (error) {
    throw new InvalidArgumentError(`-f: cannot read stdin: ${(error as Error).message}`, { cause: error })
  }
}

function row (r: RebalanceRecord): Record<string, unknown> {
  return {
    name: r.name,
    mode: r.manifest.spec.mode,
    state: r.state,
    pending: r.pendingAction ?? '',
    moves: r.proposal?.summary.numReplicaMovements ?? '',
    'data mb': r.proposal?.summary.dataToMoveMB ?? '',
    leaders: r.proposal?.summary.numLeaderMovements ?? '',
    task: r.userTaskId ?? '',
    updated: r.updatedAt,
  }
}

const COLUMNS = ['name', 'mode', 'state', 'pending', 'moves', 'data mb', 'leaders', 'task', 'updated']

/** "[#######-------------] 7/20 partitions, 840/2400 MB" */
export function progressBar (r: RebalanceRecord, width = 20): string {
  const p = r.progress
  if (p === undefined) return ''
  const fraction = p.partitionsTotal === 0 ? 1 : Math.min(1, p.partitionsMoved / p.partitionsTotal)
  const filled = Math.round(fraction * width)
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${p.partitionsMoved}/${p.partitionsTotal} partitions, ${p.dataMovedMB}/${p.dataTotalMB} MB`
}

function details (r: RebalanceRecord): string {
  const lines = [renderTable([row(r)], COLUMNS).trimEnd()]
  if (r.reason !== undefined) lines.push(`reason: ${r.reason}`)
  if (r.proposal !== undefined) {
    const s = r.proposal.summary
    lines.push(`proposal: ${s.numReplicaMovements} replica moves (${s.dataToMoveMB} MB), ${s.numIntraBrokerReplicaMovements ?? 0} intra-broker moves, ${s.numLeaderMovements} leader moves; balancedness ${s.onDemandBalancednessScoreBefore ?? '?'} → ${s.onDemandBalancednessScoreAfter ?? '?'}`)
  }
  const bar = progressBar(r)
  if (bar !== '') lines.push(`progress: ${bar} (${r.progress?.executorState ?? ''})`)
  if (r.lastTransientError !== undefined) lines.push(`last transient failure (state unchanged): ${r.lastTransientError.reason} at ${r.lastTransientError.at}`)
  const actions = nextActions(r.state)
  if (actions !== '') lines.push(`next: ${actions}`)
  return lines.join('\n') + '\n'
}

function nextActions (state: RebalanceState): string {
  switch (state) {
    case 'ProposalReady': return 'steadfast rebalance approve NAME (or refresh)'
    case 'PendingProposal':
    case 'Rebalancing': return 'steadfast rebalance status NAME --watch (or stop)'
    case 'New': return 'steadfast rebalance status NAME'
    default: return 'steadfast rebalance refresh NAME for a new proposal'
  }
}

function print (options: RebalanceCliOptions, records: RebalanceRecord[]): void {
  if (options.output === 'table') process.stdout.write(records.map(details).join('\n'))
  else printResult(options.output, records.length === 1 ? records[0] : records, [], [])
}

/**
 * Follows a rebalance until it settles, for at most --timeout (a DeadlineExceededError naming the
 * state it is in). Ctrl-C stops following, shows where it is and exits 130; Cruise Control goes on.
 */
async function watch (lifecycle: RebalanceLifecycle, name: string, options: RebalanceCliOptions & { interval: number }): Promise<RebalanceRecord> {
  // On a terminal the bar is the status line (stderr), so log lines are written above it, never inside.
  const tty = options.output === 'table' && process.stdout.isTTY && process.stderr.isTTY
  let last = ''
  const controller = new AbortController()
  const onSignal = (): void => controller.abort(new Error('interrupted'))
  process.once('SIGINT', onSignal)
  try {
    return await lifecycle.settle(name, {
      until: SETTLED,
      intervalMs: options.interval,
      timeoutMs: options.timeout,
      signal: controller.signal,
      onUpdate: (r) => {
        const update = { name: r.name, state: r.state, progress: r.progress, reason: r.reason, lastTransientError: r.lastTransientError }
        // Each update is a JSON line, or a YAML document (`---` first, as `kubectl get -w -o yaml`).
        const line = options.output === 'json'
          ? JSON.stringify(update)
          : options.output === 'yaml'
            ? `---\n${toYaml(JSON.parse(JSON.stringify(update))).trimEnd()}`
            : `${r.state}${r.pendingAction === undefined ? '' : ` (${r.pendingAction} pending)`} ${progressBar(r)}`.trimEnd()
        if (line === last) return
        last = line
        if (tty) showStatus(line)
        else process.stdout.write(`${line}\n`)
      },
    })
  } catch (error) {
    if (!(error instanceof AbortedError && controller.signal.aborted)) throw error
    writeStderr(`steadfast: stopped following ${name}; Cruise Control carries on (steadfast rebalance status ${name} --watch to follow it again)\n`)
    process.exitCode = 130
    return await lifecycle.get(name)
  } finally {
    process.removeListener('SIGINT', onSignal)
    clearStatus()
  }
}

/** Waits for the proposal (or the start of an auto-approved execution); after `timeoutMs` shows where it is. */
async function settleOrShow (lifecycle: RebalanceLifecycle, name: string, timeoutMs: number): Promise<RebalanceRecord> {
  try {
    return await lifecycle.settle(name, { until: [...SETTLED, 'Rebalancing'], intervalMs: 1000, timeoutMs })
  } catch (error) {
    if (!(error instanceof DeadlineExceededError)) throw error
    const record = await lifecycle.get(name)
    // A rebalance still New has not started: the command fails with its own message instead.
    if (record.state !== 'New') process.stderr.write(`steadfast: ${error.message}; it continues with \`steadfast rebalance status ${name} --watch\`\n`)
    return record
  }
}

export function register (rebalance: Command): void {
  withRebalanceOptions(rebalance.command('create'))
    .description('Create rebalances from a KafkaRebalance manifest (-f) or from --mode, and wait for the proposal')
    .option('-f, --file <file>', 'KafkaRebalance YAML/JSON ("-" for stdin); several documents allowed')
    .option('--mode <mode>', REBALANCE_MODES.join(', '))
    .option('--name <name>', 'rebalance name with --mode', 'rebalance')
    .option('--brokers <ids>', 'broker ids for add-brokers / remove-brokers, e.g. 3,4')
    .option('--goals <list>', 'comma-separated goals')
    .option('--excluded-topics <regex>', 'topics to leave alone')
    .option('--skip-hard-goal-check', 'skip the hard-goal check')
    .option('--auto-approve', 'execute the proposal without waiting for approve')
    .option('--no-wait', 'only record the rebalance and send the first request')
    .action(async (options: CreateOptions) => {
      const manifests = manifestsFromOptions(options)
      await lifecycleFor(options, async (lifecycle) => {
        const records: RebalanceRecord[] = []
        for (const m of manifests) await lifecycle.create(m)
        for (const m of manifests) {
          const name = m.metadata.name
          records.push(options.wait
            ? await settleOrShow(lifecycle, name, options.timeout)
            : await lifecycle.reconcile(name))
        }
        print(options, records)
        failIfNotReady(records)
        failIfNotStarted(records, options.url)
      })
    })

  withRebalanceOptions(rebalance.command('list'))
    .description('Every rebalance in the state directory, as last observed')
    .action(async (options: RebalanceCliOptions) => {
      const records = await new JsonStateStore<RebalanceRecord>(options.stateDir).list()
      printResult(options.output, records, records.map(row), COLUMNS)
    })

  withRebalanceOptions(rebalance.command('status').argument('<name>'))
    .description('Reconcile a rebalance once and show it; --watch follows it until it settles (at most --timeout), with a progress bar')
    .option('--watch', 'keep reconciling until ProposalReady, Ready, NotReady or Stopped, for at most --timeout; exits non-zero on NotReady')
    .option('--interval <duration>', 'pause between reconciles with --watch', (text: string) => parseDuration(text, '--interval'), 2000)
    .action(async (name: string, options: RebalanceCliOptions & { watch?: boolean, interval: number }) => {
      await lifecycleFor(options, async (lifecycle) => {
        const record = options.watch === true ? await watch(lifecycle, name, options) : await lifecycle.reconcile(name)
        // After the updates' YAML documents, the record is one more.
        if (options.watch === true && options.output === 'yaml') process.stdout.write('---\n')
        print(options, [record])
        if (options.watch === true) failIfNotReady([record])
      }, options.watch !== true)
    })

  for (const action of ['approve', 'refresh', 'stop'] as const) {
    const describe = {
      approve: 'Execute the proposal of a ProposalReady rebalance',
      refresh: 'Ask Cruise Control for a new proposal',
      stop: 'Stop a PendingProposal or Rebalancing rebalance (stops the execution)',
    }[action]
    withRebalanceOptions(rebalance.command(action).argument('<name>'))
      .description(describe)
      .action(async (name: string, options: RebalanceCliOptions) => {
        await lifecycleFor(options, async (lifecycle) => print(options, [await lifecycle[action](name)]))
      })
  }

  withRebalanceOptions(rebalance.command('delete').argument('<name>'))
    .description('Forget a rebalance (Cruise Control is not contacted; stop it first if it is executing)')
    .action(async (name: string, options: RebalanceCliOptions) => {
      const store = new JsonStateStore<RebalanceRecord>(options.stateDir)
      const deleted = await store.withLock(name, async () => await store.delete(name))
      if (!deleted) throw new InvalidArgumentError(`rebalance ${name} does not exist (state directory ${options.stateDir})`)
      if (options.output === 'table') process.stdout.write(`deleted ${name}\n`)
      else printResult(options.output, { deleted: name }, [], [])
    })
}
