/**
 * Kafka's metadata is eventually consistent: a created, grown or deleted topic, or a broker config
 * change, reaches every broker a moment after the controller committed it, and no event tells a
 * client when. `eventually` runs a check until it passes (every 100 ms), failing with its last
 * error once `withinMs` is over.
 */
import { setTimeout as delay } from 'node:timers/promises'

export async function eventually<T> (check: () => Promise<T>, withinMs = 15_000): Promise<T> {
  const deadline = Date.now() + withinMs
  for (;;) {
    try {
      return await check()
    } catch (error) {
      if (Date.now() > deadline) throw error
    }
    await delay(100)
  }
}
