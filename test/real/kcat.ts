/**
 * kcat (librdkafka 2.0.2, an independent client) as a second witness of what admin calls did:
 * the topics and partition counts its metadata shows, a partition's earliest offset, and a live
 * member of a classic consumer group. Used on the PLAINTEXT listener.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { setTimeout as delay } from 'node:timers/promises'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** Topic name → partition count, as kcat's metadata (-L) lists them. */
export async function kcatTopics (bootstrap: string): Promise<Map<string, number>> {
  const { stdout } = await run('kcat', ['-L', '-J', '-b', bootstrap], { timeout: 20_000, maxBuffer: 16 * 1024 * 1024 })
  const metadata = JSON.parse(stdout) as { topics: Array<{ topic: string, partitions: unknown[] }> }
  return new Map(metadata.topics.map((t) => [t.topic, t.partitions.length]))
}

/** The partition's earliest offset, as kcat's query mode (-Q, timestamp -2) reports it. */
export async function kcatEarliest (bootstrap: string, topic: string, partition: number): Promise<number> {
  const { stdout } = await run('kcat', ['-Q', '-b', bootstrap, '-t', `${topic}:${partition}:-2`], { timeout: 20_000 })
  const match = /\[\d+\]\s+offset\s+(-?\d+)/.exec(stdout)
  if (match === null) throw new Error(`kcat -Q printed no offset: ${stdout}`)
  return Number(match[1])
}

/**
 * A kcat balanced consumer in `group`; resolves once it has been assigned partitions. `leave()`
 * stops it (it leaves the group). A topic created a moment ago may not be in every broker's
 * metadata yet, and kcat exits at once ("Subscribed topic not available") when the broker it asks
 * does not know it: that case alone is retried, within `withinMs`. A member that is never assigned
 * anything fails with kcat's output once `withinMs` is over.
 */
export async function kcatGroupMember (bootstrap: string, group: string, topic: string, withinMs = 20_000): Promise<{ leave: () => Promise<void> }> {
  const deadline = Date.now() + withinMs
  for (;;) {
    try {
      return await joinOnce(bootstrap, group, topic, Math.max(1000, deadline - Date.now()))
    } catch (error) {
      const unknownTopic = error instanceof Error && error.message.includes('Subscribed topic not available')
      if (!unknownTopic || Date.now() > deadline) throw error
    }
    await delay(200)
  }
}

async function joinOnce (bootstrap: string, group: string, topic: string, timeoutMs: number): Promise<{ leave: () => Promise<void> }> {
  const child: ChildProcess = spawn('kcat', ['-b', bootstrap, '-G', group, '-X', 'session.timeout.ms=6000', topic], { stdio: ['ignore', 'ignore', 'pipe'] })
  const exited = once(child, 'exit')
  let stderr = ''
  let timer: NodeJS.Timeout | undefined
  try {
    await new Promise<void>((resolve, reject) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
        if (/rebalanced.*assigned:/s.test(stderr)) resolve()
      })
      child.once('exit', (code) => reject(new Error(`kcat -G exited (${String(code)}) before joining: ${stderr}`)))
      timer = setTimeout(() => reject(new Error(`kcat -G was assigned nothing within ${timeoutMs} ms: ${stderr}`)), timeoutMs)
    })
  } catch (error) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await exited
    }
    throw error
  } finally {
    clearTimeout(timer)
  }
  return {
    leave: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      await exited
    },
  }
}
