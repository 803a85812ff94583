/**
 * The manifests directory as the loops see it: read afresh at each pass (so an edit applies at the
 * next pass, and the watcher makes that pass happen at once). An invalid directory stops both
 * loops from applying anything until it is fixed, and is reported once per distinct problem.
 */
import { loadDeclared, type Declared } from './manifests.ts'
import type { EventLog } from './state/events.ts'

export class ManifestSource {
  readonly dir: string
  readonly #events: EventLog
  #lastProblem: string | undefined

  constructor (dir: string, events: EventLog) {
    this.dir = dir
    this.#events = events
  }

  async load (): Promise<Declared> {
    try {
      const declared = await loadDeclared(this.dir)
      if (this.#lastProblem !== undefined) this.#events.record('info', 'manifests', this.dir, 'manifests are valid again; applying them')
      this.#lastProblem = undefined
      return declared
    } catch (error) {
      const message = (error as Error).message
      if (message !== this.#lastProblem) this.#events.record('error', 'manifests', this.dir, `${message}\nnothing is applied until this is fixed`)
      this.#lastProblem = message
      throw error
    }
  }
}
