/**
 * The faults currently in force, as plain rules the sessions consult for every request: black
 * holes (a broker, an API key, or both), added latency per broker, and armed lost answers.
 * A rule without a broker id applies to every broker. No I/O here.
 */

export interface BlackholeRule {
  /** Undefined: every broker. */
  brokerId?: number
  /** Undefined: every request; else only requests of this API key. */
  apiKey?: number
}

export interface DropRule {
  brokerId?: number
  apiKey: number
}

function matches (rule: { brokerId?: number, apiKey?: number }, brokerId: number, apiKey: number): boolean {
  return (rule.brokerId === undefined || rule.brokerId === brokerId) && (rule.apiKey === undefined || rule.apiKey === apiKey)
}

export class Faults {
  #blackholes: BlackholeRule[] = []
  /** Latency per broker id; the entry under `all` applies where a broker has none of its own. */
  readonly #latency = new Map<number | 'all', number>()
  #drops: DropRule[] = []

  blackhole (rule: BlackholeRule): void {
    this.#blackholes.push({ ...rule })
  }

  isBlackholed (brokerId: number, apiKey: number): boolean {
    return this.#blackholes.some((rule) => matches(rule, brokerId, apiKey))
  }

  /** Sets (or with 0 removes) the latency of one broker or, without an id, of every broker. */
  setLatency (ms: number, brokerId?: number): void {
    if (brokerId === undefined) this.#latency.clear()
    const key = brokerId ?? 'all'
    if (ms === 0) this.#latency.delete(key)
    else this.#latency.set(key, ms)
  }

  latencyOf (brokerId: number): number {
    return this.#latency.get(brokerId) ?? this.#latency.get('all') ?? 0
  }

  /** Arms one lost answer: the next matching request is forwarded and its answer swallowed. */
  armDrop (rule: DropRule): void {
    this.#drops.push({ ...rule })
  }

  /** True (and the rule is used up) when this request's answer is to be lost. */
  takeDrop (brokerId: number, apiKey: number): boolean {
    const index = this.#drops.findIndex((rule) => matches(rule, brokerId, apiKey))
    if (index < 0) return false
    this.#drops.splice(index, 1)
    return true
  }

  /** Lost answers armed and not yet used. */
  get armedDrops (): number {
    return this.#drops.length
  }

  /** Back to a transparent proxy: no black holes, no latency, no armed lost answers. */
  heal (): void {
    this.#blackholes = []
    this.#latency.clear()
    this.#drops = []
  }
}
