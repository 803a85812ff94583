/**
 * The control language of `steadfast testkit proxy` on stdin: one command a line, each answered
 * with one JSON line on stdout (`{"ok":true,"command":…}` or `{"ok":false,"command":…,"error":…}`).
 *
 *   move [<broker>]                    every broker (or one) to a new proxy port; old ports closed
 *   reset [<broker>]                   reset the current connections
 *   blackhole [broker=<id>] [api=<key>] swallow requests (all, one broker, one API key)
 *   latency <ms> [broker=<id>]          hold each request ms before forwarding it
 *   drop api=<key> [broker=<id>]        lose the answer to the next such request
 *   heal                               remove black holes, latency and armed drops
 *   stats | brokers                    counters / the proxy's brokers and bootstrap
 *
 * API keys are numbers or names from ApiKey (`Produce`, `Metadata`, …).
 */
import type { ChaosProxy } from '../testkit/chaos-proxy/chaos-proxy.ts'
import { ApiKey } from '../testkit/mock-cluster/api-keys.ts'
import { InvalidArgumentError } from '../resilience/errors.ts'

type Reply = Record<string, unknown>

function integer (text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new InvalidArgumentError(`${what}: "${text}" is not a non-negative integer`)
  return Number(text)
}

function apiKey (text: string): number {
  const named = (ApiKey as Record<string, number>)[text]
  return named ?? integer(text, 'api')
}

/** Splits `word broker=1 api=Produce` into positional words and key=value options (only the allowed keys). */
function parseArgs (words: string[], allowed: readonly string[]): { positional: string[], options: Map<string, string> } {
  const positional: string[] = []
  const options = new Map<string, string>()
  for (const word of words) {
    const eq = word.indexOf('=')
    if (eq < 0) {
      positional.push(word)
      continue
    }
    const key = word.slice(0, eq)
    if (!allowed.includes(key)) throw new InvalidArgumentError(`unknown option "${key}" (expected ${allowed.join(', ') || 'none'})`)
    options.set(key, word.slice(eq + 1))
  }
  return { positional, options }
}

function brokerOption (options: Map<string, string>): { brokerId?: number } {
  const text = options.get('broker')
  return text === undefined ? {} : { brokerId: integer(text, 'broker') }
}

function optionalBroker (positional: string[]): number | undefined {
  return positional[0] === undefined ? undefined : integer(positional[0], 'broker')
}

async function apply (proxy: ChaosProxy, command: string, words: string[]): Promise<Reply> {
  switch (command) {
    case 'move': {
      const { positional } = parseArgs(words, [])
      const broker = optionalBroker(positional)
      if (broker === undefined) await proxy.moveEndpoints()
      else await proxy.moveBroker(broker)
      return { bootstrap: proxy.bootstrap, brokers: proxy.brokers }
    }
    case 'reset':
      await proxy.reset(optionalBroker(parseArgs(words, []).positional))
      return {}
    case 'blackhole': {
      const { options } = parseArgs(words, ['broker', 'api'])
      const api = options.get('api')
      await proxy.blackhole({ ...brokerOption(options), ...(api === undefined ? {} : { apiKey: apiKey(api) }) })
      return {}
    }
    case 'latency': {
      const { positional, options } = parseArgs(words, ['broker'])
      if (positional[0] === undefined) throw new InvalidArgumentError('latency: give the milliseconds, e.g. "latency 200"')
      await proxy.setLatency(integer(positional[0], 'latency'), brokerOption(options))
      return {}
    }
    case 'drop': {
      const { options } = parseArgs(words, ['broker', 'api'])
      const api = options.get('api')
      if (api === undefined) throw new InvalidArgumentError('drop: give the API key, e.g. "drop api=Produce"')
      await proxy.dropNextAnswer({ ...brokerOption(options), apiKey: apiKey(api) })
      return {}
    }
    case 'heal':
      await proxy.heal()
      return {}
    case 'stats':
      return { stats: proxy.stats }
    case 'brokers':
      return { bootstrap: proxy.bootstrap, brokers: proxy.brokers }
    default:
      throw new InvalidArgumentError(`unknown command "${command}" (expected move, reset, blackhole, latency, drop, heal, stats or brokers)`)
  }
}

/** Runs one command line against the proxy; never throws (a failure is the reply). Empty lines give undefined. */
export async function runProxyCommand (proxy: ChaosProxy, line: string): Promise<Reply | undefined> {
  const [command, ...words] = line.trim().split(/\s+/).filter((w) => w !== '')
  if (command === undefined) return undefined
  try {
    return { ok: true, command, ...(await apply(proxy, command, words)) }
  } catch (error) {
    return { ok: false, command, error: (error as Error).message }
  }
}
