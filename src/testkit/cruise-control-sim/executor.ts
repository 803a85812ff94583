/**
 * The simulator's executor: carries out a plan over time, a batch of partition movements per tick,
 * then the leadership movements, and reports ExecutorState the way Cruise Control's state endpoint
 * does. One execution at a time, as in Cruise Control.
 */
import type { ClusterModel, Move } from './cluster-model.ts'

export type ExecutorPhase =
  | 'NO_TASK_IN_PROGRESS'
  | 'INTER_BROKER_REPLICA_MOVEMENT_TASK_IN_PROGRESS'
  | 'INTRA_BROKER_REPLICA_MOVEMENT_TASK_IN_PROGRESS'
  | 'LEADER_MOVEMENT_TASK_IN_PROGRESS'
  | 'STOPPING_EXECUTION'

export interface ExecutorOptions {
  /** Time between execution steps. */
  tickMs: number
  /** Partition movements finished per tick. */
  movementsPerTick: number
}

interface Execution {
  userTaskId: string
  reason: string
  replicaMoves: Move[]
  intraMoves: Move[]
  leaderMoves: Move[]
  finishedReplica: number
  finishedIntra: number
  finishedDataMB: number
  totalDataMB: number
  stopping: boolean
  onDone: (stopped: boolean) => void
}

export class Executor {
  readonly #model: ClusterModel
  readonly #options: ExecutorOptions
  #phase: ExecutorPhase = 'NO_TASK_IN_PROGRESS'
  #execution: Execution | undefined
  #timer: ReturnType<typeof setTimeout> | undefined
  #held = false

  constructor (model: ClusterModel, options: ExecutorOptions) {
    this.#model = model
    this.#options = options
  }

  get busy (): boolean { return this.#execution !== undefined }

  /** While held, an execution makes no progress (ticks still come; a stop still ends it). */
  hold (held: boolean): void { this.#held = held }

  /** Starts carrying out `moves`; `onDone` runs when it finished or was stopped (`stopped` says which). */
  start (moves: Move[], userTaskId: string, reason: string, onDone: (stopped: boolean) => void): void {
    const replicaMoves = moves.filter((m) => m.interBrokerMoves > 0)
    this.#execution = {
      userTaskId,
      reason,
      replicaMoves,
      intraMoves: moves.filter((m) => m.interBrokerMoves === 0 && m.intraBrokerMoves > 0),
      leaderMoves: moves.filter((m) => m.interBrokerMoves === 0 && m.intraBrokerMoves === 0),
      finishedReplica: 0,
      finishedIntra: 0,
      finishedDataMB: 0,
      totalDataMB: replicaMoves.reduce((sum, m) => sum + m.sizeMB * m.interBrokerMoves, 0),
      stopping: false,
      onDone,
    }
    this.#phase = this.#nextPhase(this.#execution)
    this.#schedule()
  }

  /** stop_proposal_execution: movements not yet started are cancelled; true when something was running. */
  stop (): boolean {
    if (this.#execution === undefined) return false
    this.#execution.stopping = true
    this.#phase = 'STOPPING_EXECUTION'
    return true
  }

  /** A restart of Cruise Control: the execution is abandoned without reporting. */
  abandon (): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#execution = undefined
    this.#phase = 'NO_TASK_IN_PROGRESS'
  }

  #schedule (): void {
    this.#timer = setTimeout(() => this.#tick(), this.#options.tickMs)
  }

  #nextPhase (e: Execution): ExecutorPhase {
    if (e.finishedReplica < e.replicaMoves.length) return 'INTER_BROKER_REPLICA_MOVEMENT_TASK_IN_PROGRESS'
    if (e.finishedIntra < e.intraMoves.length) return 'INTRA_BROKER_REPLICA_MOVEMENT_TASK_IN_PROGRESS'
    if (e.leaderMoves.length > 0) return 'LEADER_MOVEMENT_TASK_IN_PROGRESS'
    return 'NO_TASK_IN_PROGRESS'
  }

  #tick (): void {
    const e = this.#execution
    if (e === undefined) return
    if (e.stopping) { this.#end(e); return }
    if (this.#held) { this.#schedule(); return }
    const batch = this.#options.movementsPerTick
    if (this.#phase === 'INTER_BROKER_REPLICA_MOVEMENT_TASK_IN_PROGRESS') {
      for (const move of e.replicaMoves.slice(e.finishedReplica, e.finishedReplica + batch)) {
        this.#model.apply(move)
        e.finishedDataMB += move.sizeMB * move.interBrokerMoves
      }
      e.finishedReplica = Math.min(e.replicaMoves.length, e.finishedReplica + batch)
    } else if (this.#phase === 'INTRA_BROKER_REPLICA_MOVEMENT_TASK_IN_PROGRESS') {
      for (const move of e.intraMoves.slice(e.finishedIntra, e.finishedIntra + batch)) this.#model.apply(move)
      e.finishedIntra = Math.min(e.intraMoves.length, e.finishedIntra + batch)
    } else if (this.#phase === 'LEADER_MOVEMENT_TASK_IN_PROGRESS') {
      for (const move of e.leaderMoves) this.#model.apply(move)
      e.leaderMoves = []
    }
    this.#phase = this.#nextPhase(e)
    if (this.#phase === 'NO_TASK_IN_PROGRESS') { this.#end(e); return }
    this.#schedule()
  }

  #end (e: Execution): void {
    this.#execution = undefined
    this.#phase = 'NO_TASK_IN_PROGRESS'
    this.#timer = undefined
    e.onDone(e.stopping)
  }

  /** The ExecutorState object of GET state. */
  snapshot (): Record<string, unknown> {
    const e = this.#execution
    if (e === undefined) return { state: 'NO_TASK_IN_PROGRESS' }
    const total = e.replicaMoves.length + e.intraMoves.length
    const finished = e.finishedReplica + e.finishedIntra
    const moving = this.#phase === 'STOPPING_EXECUTION' ? 0 : Math.min(this.#options.movementsPerTick, total - finished)
    return {
      state: this.#phase,
      numTotalPartitionMovements: e.replicaMoves.length,
      numPendingPartitionMovements: Math.max(0, e.replicaMoves.length - e.finishedReplica - (this.#phase === 'INTER_BROKER_REPLICA_MOVEMENT_TASK_IN_PROGRESS' ? moving : 0)),
      numInProgressPartitionMovements: this.#phase === 'INTER_BROKER_REPLICA_MOVEMENT_TASK_IN_PROGRESS' ? moving : 0,
      numFinishedPartitionMovements: e.finishedReplica,
      numTotalIntraBrokerPartitionMovements: e.intraMoves.length,
      numFinishedIntraBrokerPartitionMovements: e.finishedIntra,
      numTotalLeadershipMovements: e.leaderMoves.length,
      finishedDataMovement: e.finishedDataMB,
      totalDataToMove: e.totalDataMB,
      triggeredUserTaskId: e.userTaskId,
      triggeredTaskReason: e.reason,
    }
  }
}
