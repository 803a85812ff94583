/**
 * One JVM of the rig (a broker, a controller, a Connect worker). Its stdout and stderr go to a log
 * file. No JVM outlives the process that started it: each is started under `setpriv --pdeathsig
 * KILL` (the kernel kills it when its parent dies, even by SIGKILL) and is also tracked by the
 * testkit's reaper (killed on exit and on SIGINT/SIGTERM). setpriv execs java, so `pid` is the JVM's.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs'
import { track, untrack } from '../process/reaper.ts'

const SETPRIV = '/usr/bin/setpriv'

export interface JvmSpec {
  java: string
  classpath: string
  mainClass: string
  args: string[]
  /** JVM flags (heap, GC, system properties). */
  jvmOptions: string[]
  logFile: string
  env?: NodeJS.ProcessEnv
}

export class Jvm {
  readonly #child: ChildProcess
  readonly #exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
  readonly logFile: string
  /** Callers awaiting the exit: while any exist, the JVM keeps Node alive (otherwise it does not). */
  #holds = 0
  /** Set once this process has asked the JVM to stop (terminate or kill), so its exit is expected. */
  asked = false

  private constructor (child: ChildProcess, logFile: string) {
    this.#child = child
    this.logFile = logFile
    this.#exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
    child.unref()
  }

  static start (spec: JvmSpec): Jvm {
    const out = openSync(spec.logFile, 'a')
    try {
      const java = [...spec.jvmOptions, '-cp', spec.classpath, spec.mainClass, ...spec.args]
      const [command, args] = existsSync(SETPRIV)
        ? [SETPRIV, ['--pdeathsig', 'KILL', '--', spec.java, ...java]]
        : [spec.java, java]
      const child = spawn(command, args, { stdio: ['ignore', out, out], env: spec.env ?? process.env })
      track(child)
      return new Jvm(child, spec.logFile)
    } finally {
      closeSync(out)
    }
  }

  get pid (): number {
    return this.#child.pid ?? -1
  }

  get running (): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null
  }

  signal (signal: NodeJS.Signals): void {
    if (this.running) this.#child.kill(signal)
  }

  /** Resolves when the JVM has exited, with its exit code or signal; keeps Node alive meanwhile. */
  async exited (): Promise<{ code: number | null, signal: NodeJS.Signals | null }> {
    if (this.#holds++ === 0) this.#child.ref()
    try {
      const result = await this.#exited
      untrack(this.#child)
      return result
    } finally {
      if (--this.#holds === 0) this.#child.unref()
    }
  }

  /** Like exited(), without keeping Node alive: for watchers that must not hold a process open. */
  async watchExit (): Promise<{ code: number | null, signal: NodeJS.Signals | null }> {
    return await this.#exited
  }

  /** SIGTERM (the JVM's shutdown hooks run: a broker shuts down in a controlled way), SIGKILL after `graceMs`. */
  async terminate (graceMs: number): Promise<void> {
    if (!this.running) return
    this.asked = true
    this.signal('SIGCONT')
    this.signal('SIGTERM')
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs)
    await this.exited()
    clearTimeout(timer)
  }

  async kill (): Promise<void> {
    this.asked = true
    this.signal('SIGKILL')
    await this.exited()
  }
}

/** A JVM's log file, or its last `lines` lines; empty when it does not exist (yet). */
export function readLog (path: string, lines?: number): string {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return ''
  }
  return lines === undefined ? text : text.split('\n').slice(-lines - 1).join('\n')
}
