/**
 * `steadfast agent [--config file]` and `steadfast sandbox`: the long-running reconciler in the
 * foreground. Without --config the agent runs on the sandbox. SIGTERM or SIGINT stops it
 * gracefully (in-flight operations finish, state is closed) with exit code 0.
 */
import type { Command } from 'commander'
import { Agent } from '../../agent/agent.ts'
import { defaultEngine, parseEngine, type EngineName } from '../../agent/sandbox/engines.ts'
import { DEFAULT_SANDBOX_DIR, Sandbox } from '../../agent/sandbox/sandbox.ts'
import { waitForStopSignal } from '../foreground.ts'
import { integerOption } from '../options.ts'

interface SandboxCliOptions { engine?: EngineName, dir: string, port: number }

async function runSandbox (options: SandboxCliOptions): Promise<void> {
  const started = Date.now()
  // Progress on stderr, so stdout keeps only the closing note.
  const onProgress = (step: string): void => { process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${step}…\n`) }
  const sandbox = await Sandbox.start({ engine: options.engine ?? defaultEngine(), dir: options.dir, port: options.port, onProgress })
  // After the start: the testkit's reaper re-raises a signal when its handler is the only one
  // left, and ours is removed first when it was added first, which would end the process before
  // the graceful stop.
  const stopped = waitForStopSignal()
  process.stdout.write(`${sandbox.describe()}(started in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`)
  const signal = await stopped
  await sandbox.stop()
  process.stdout.write(`Stopped on ${signal}.\n`)
}

async function runAgent (config: string): Promise<void> {
  const stopped = waitForStopSignal()
  const agent = await Agent.start(config)
  process.stdout.write(`steadfast agent serving ${agent.url}/ (config ${agent.config.file}). Press Ctrl-C to stop.\n`)
  const signal = await stopped
  await agent.stop()
  process.stdout.write(`Stopped on ${signal}.\n`)
}

const addSandboxOptions = (command: Command): Command => command
  .option('--engine <engine>', 'mock (mock cluster + Connect simulator) or real (Kafka and Connect JVMs); default real where available, else mock', parseEngine)
  .option('--dir <path>', 'where the example manifests, config and state go', DEFAULT_SANDBOX_DIR)
  .option('--port <port>', 'the agent\'s HTTP port (0 picks a free one)', integerOption('--port', 0, 65535), 8080)

export function registerAgent (agent: Command): void {
  addSandboxOptions(agent
    .option('--config <file>', 'the agent config (docs/agent.md); without it the agent runs on the sandbox'))
    .action(async (options: SandboxCliOptions & { config?: string }) => options.config === undefined ? await runSandbox(options) : await runAgent(options.config))
}

export function registerSandbox (sandbox: Command): void {
  addSandboxOptions(sandbox)
    .action(async (options: SandboxCliOptions) => await runSandbox(options))
}
