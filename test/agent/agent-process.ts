/**
 * The agent as operators run it, a process (bin/steadfast agent): started until it prints the URL
 * it serves, and read through its JSON API.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'

export const BIN = new URL('../../bin/steadfast', import.meta.url).pathname
export const TOKEN = 'test-token-0123'

export interface Running { child: ChildProcess, url: string, lines: string[] }

/** Starts the agent and resolves with its URL once it prints it. */
export async function startAgent (config: string): Promise<Running> {
  const child = spawn(BIN, ['agent', '--config', config], { env: { ...process.env, STEADFAST_LOG_LEVEL: process.env.STEADFAST_TEST_AGENT_LOG ?? 'silent', AGENT_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'inherit'] })
  const lines: string[] = []
  const reader = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  for await (const line of reader) {
    lines.push(line)
    const url = /serving (http:\/\/[\d.:]+)\//.exec(line)?.[1]
    if (url !== undefined) {
      reader.on('line', (l) => lines.push(l))
      return { child, url, lines }
    }
  }
  throw new Error(`the agent exited before serving: ${lines.join('\n')}`)
}

/** Reads the rebalance through the API until `done` holds (the agent moves it on its own timer). */
export async function waitForRebalance (url: string, done: (r: any) => boolean): Promise<any> {
  for (let i = 0; i < 1200; i++) {
    const body = await (await fetch(`${url}/api/rebalances`)).json() as { rebalances?: Array<{ record: any }> }
    const record = body.rebalances?.[0]?.record
    if (record !== undefined && done(record)) return record
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  assert.fail('the rebalance did not get there')
}
