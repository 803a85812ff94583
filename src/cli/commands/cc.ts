/**
 * `steadfast cc state|user-tasks`: Cruise Control at a glance, through the capacity-aware client.
 * Also the connection options every Cruise Control command shares (--url, --timeout, auth, TLS).
 */
import type { Command } from 'commander'
import { CruiseControlClient } from '../../cruise-control/client.ts'
import type { CruiseControlState, UserTaskStatus } from '../../cruise-control/schemas.ts'
import { InvalidArgumentError } from '../../resilience/errors.ts'
import { readCaFile } from '../files.ts'
import { hasUrlCredentials, warnOnCleartextCredentials } from '../insecure-auth.ts'
import { commandLogger } from '../logging.ts'
import { withProgress } from '../progress.ts'
import { integerOption, parseOutput, parseTimeout, printResult, type OutputFormat } from '../options.ts'

export const DEFAULT_URL = 'http://127.0.0.1:9090'

export interface CruiseControlCliOptions {
  url: string
  timeout: number
  output: OutputFormat
  maxActiveUserTasks: number
  user?: string
  caFile?: string
  insecure?: boolean
  allowInsecureAuth?: boolean
}

/** Adds the options every Cruise Control command takes. */
export function withCruiseControlOptions (command: Command): Command {
  return command
    .option('--url <url>', 'Cruise Control base URL ($STEADFAST_CRUISE_CONTROL_URL)', process.env.STEADFAST_CRUISE_CONTROL_URL ?? DEFAULT_URL)
    .option('--timeout <duration>', 'give up on a request after retrying transient failures this long, e.g. 30s, 2m', parseTimeout, 120_000)
    .option('-o, --output <format>', 'table, json or yaml', parseOutput, 'table' as OutputFormat)
    .option('--max-active-user-tasks <n>', "the server's max.active.user.tasks; steadfast uses one fewer", integerOption('--max-active-user-tasks', 1), 5)
    .option('--user <name>', 'basic-auth user; the password comes from $STEADFAST_CRUISE_CONTROL_PASSWORD')
    .option('--ca-file <path>', 'PEM file of the CA that signed the server certificate')
    .option('--insecure', 'do not verify the server certificate')
    .option('--allow-insecure-auth', 'send credentials to an http:// URL without the cleartext warning')
}

export function clientFromOptions (options: CruiseControlCliOptions): CruiseControlClient {
  const ca = options.caFile === undefined ? undefined : readCaFile(options.caFile)
  const tls = ca !== undefined || options.insecure === true ? { ca, rejectUnauthorized: options.insecure !== true } : undefined
  let auth: { username: string, password: string } | undefined
  if (options.user !== undefined) {
    const password = process.env.STEADFAST_CRUISE_CONTROL_PASSWORD
    if (password === undefined) throw new InvalidArgumentError('--user: set the password in $STEADFAST_CRUISE_CONTROL_PASSWORD')
    auth = { username: options.user, password }
  }
  warnOnCleartextCredentials({ urls: [options.url], credentials: auth !== undefined || hasUrlCredentials(options.url), allowInsecureAuth: options.allowInsecureAuth === true })
  return new CruiseControlClient({
    url: options.url,
    auth,
    tls,
    maxActiveUserTasks: options.maxActiveUserTasks,
    retry: { deadlineMs: options.timeout },
    operationTimeoutMs: options.timeout,
    logger: commandLogger(),
  })
}

/**
 * Runs `fn` with a client that is closed afterwards, whatever happens, under a progress spinner
 * unless `progress` is false (a command that draws its own progress).
 */
export async function withClient<T> (options: CruiseControlCliOptions, fn: (client: CruiseControlClient) => Promise<T>, progress = true): Promise<T> {
  const client = clientFromOptions(options)
  try {
    return progress ? await withProgress(`waiting for Cruise Control at ${options.url}`, async () => await fn(client)) : await fn(client)
  } finally {
    await client.close()
  }
}

function stateRows (state: CruiseControlState): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = []
  if (state.AnalyzerState !== undefined) rows.push({ component: 'analyzer', state: state.AnalyzerState.isProposalReady ? 'proposal ready' : 'no proposal yet', detail: `${state.AnalyzerState.readyGoals?.length ?? 0} goals ready` })
  if (state.MonitorState !== undefined) rows.push({ component: 'monitor', state: state.MonitorState.state, detail: '' })
  if (state.ExecutorState !== undefined) {
    const e = state.ExecutorState
    const detail = e.numTotalPartitionMovements === undefined
      ? ''
      : `${e.numFinishedPartitionMovements ?? 0}/${e.numTotalPartitionMovements} partitions, ${e.finishedDataMovement ?? 0}/${e.totalDataToMove ?? 0} MB, task ${e.triggeredUserTaskId ?? '-'}`
    rows.push({ component: 'executor', state: e.state, detail })
  }
  if (state.AnomalyDetectorState !== undefined) {
    const enabled = (state.AnomalyDetectorState as { selfHealingEnabled?: unknown[] }).selfHealingEnabled ?? []
    rows.push({ component: 'anomaly detector', state: enabled.length > 0 ? 'self-healing on' : 'self-healing off', detail: '' })
  }
  return rows
}

const TASK_STATUSES = ['Active', 'InExecution', 'Completed', 'CompletedWithError']

export function register (cc: Command): void {
  withCruiseControlOptions(cc.command('state'))
    .description('Analyzer, monitor, executor and anomaly-detector state')
    .option('--substates <list>', 'comma-separated: analyzer,monitor,executor,anomaly_detector')
    .action(async (options: CruiseControlCliOptions & { substates?: string }) => {
      const substates = options.substates?.split(',').map((s) => s.trim()).filter((s) => s !== '')
      const state = await withClient(options, async (client) => await client.state({ substates }))
      printResult(options.output, state, stateRows(state), ['component', 'state', 'detail'])
    })

  withCruiseControlOptions(cc.command('user-tasks'))
    .description('Cruise Control user tasks (each request takes one of max.active.user.tasks slots)')
    .option('--types <list>', `comma-separated statuses: ${TASK_STATUSES.join(',')}`)
    .option('--entries <n>', 'at most this many', integerOption('--entries', 1))
    .action(async (options: CruiseControlCliOptions & { types?: string, entries?: number }) => {
      const types = options.types?.split(',').map((s) => s.trim()).filter((s) => s !== '')
      for (const type of types ?? []) {
        if (!TASK_STATUSES.includes(type)) throw new InvalidArgumentError(`--types: "${type}" is not a task status (${TASK_STATUSES.join(', ')})`)
      }
      const tasks = await withClient(options, async (client) => await client.userTasks({ types: types as UserTaskStatus[] | undefined, entries: options.entries }))
      const rows = tasks.userTasks.map((t) => ({ id: t.UserTaskId, status: t.Status, request: t.RequestURL, client: t.ClientIdentity ?? '', started: new Date(t.StartMs).toISOString() }))
      printResult(options.output, tasks, rows, ['id', 'status', 'request', 'client', 'started'])
    })
}
