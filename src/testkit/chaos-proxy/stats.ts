/** Counters of what went through the proxy, per broker and per API key, and a snapshot of them. */

export interface BrokerStats {
  /** Client connections accepted on this broker's listeners since the proxy started. */
  connections: number
  /** Client connections open now. */
  openConnections: number
  /** Requests received from clients, by API key (black-holed ones included). */
  requests: Record<number, number>
}

export interface ChaosProxyStats extends BrokerStats {
  /** Requests swallowed by a black hole. */
  blackholed: number
  /** Answers swallowed by `dropNextAnswer`. */
  droppedAnswers: number
  byBroker: Record<number, BrokerStats>
}

function emptyBroker (): BrokerStats {
  return { connections: 0, openConnections: 0, requests: {} }
}

export class StatsRecorder {
  readonly #brokers = new Map<number, BrokerStats>()
  #blackholed = 0
  #droppedAnswers = 0

  #broker (brokerId: number): BrokerStats {
    let stats = this.#brokers.get(brokerId)
    if (stats === undefined) {
      stats = emptyBroker()
      this.#brokers.set(brokerId, stats)
    }
    return stats
  }

  connectionOpened (brokerId: number): void {
    const stats = this.#broker(brokerId)
    stats.connections++
    stats.openConnections++
  }

  connectionClosed (brokerId: number): void {
    this.#broker(brokerId).openConnections--
  }

  request (brokerId: number, apiKey: number): void {
    const requests = this.#broker(brokerId).requests
    requests[apiKey] = (requests[apiKey] ?? 0) + 1
  }

  blackholed (): void {
    this.#blackholed++
  }

  answerDropped (): void {
    this.#droppedAnswers++
  }

  snapshot (): ChaosProxyStats {
    const total: ChaosProxyStats = { ...emptyBroker(), blackholed: this.#blackholed, droppedAnswers: this.#droppedAnswers, byBroker: {} }
    for (const [id, stats] of [...this.#brokers].sort(([a], [b]) => a - b)) {
      total.byBroker[id] = { ...stats, requests: { ...stats.requests } }
      total.connections += stats.connections
      total.openConnections += stats.openConnections
      for (const [key, count] of Object.entries(stats.requests)) total.requests[Number(key)] = (total.requests[Number(key)] ?? 0) + count
    }
    return total
  }
}
