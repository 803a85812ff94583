/**
 * The anchor for incident 2: a KafkaRebalance driven the way Strimzi's operator drives it, written
 * from the behaviour documented in shared/reference/cruise-control-rest.md (not from its code):
 * POST the proposal (dryrun=true); 200 → ProposalReady, 202 → PendingProposal keeping the
 * User-Task-ID; poll GET user_tasks by that id each reconcile, where a capacity 500 is tolerated
 * (tried again next reconcile); auto-approval POSTs the execution (dryrun=false); a Completed
 * execution is Ready. Any error on a POST — the capacity 500 included — puts the rebalance in
 * NotReady, where it stays until someone asks for a refresh (nobody does here).
 */
export type StrimziState = 'New' | 'PendingProposal' | 'ProposalReady' | 'Rebalancing' | 'Ready' | 'NotReady'

export interface StrimziOutcome {
  state: StrimziState
  everNotReady: boolean
  reason: string | undefined
  capacityErrors: number
}

const CAPACITY = /active user tasks, which has reached the servlet capacity/

async function post (url: string, dryrun: boolean): Promise<{ status: number, taskId: string | null, body: string }> {
  const response = await fetch(`${url}/kafkacruisecontrol/rebalance?json=true&dryrun=${String(dryrun)}`, { method: 'POST' })
  return { status: response.status, taskId: response.headers.get('user-task-id'), body: await response.text() }
}

async function taskStatus (url: string, taskId: string): Promise<{ status: number, task: string | undefined, body: string }> {
  const response = await fetch(`${url}/kafkacruisecontrol/user_tasks?json=true&user_task_ids=${taskId}`)
  const body = await response.text()
  if (response.status !== 200) return { status: response.status, task: undefined, body }
  const parsed = JSON.parse(body) as { userTasks?: Array<{ Status?: string }> }
  return { status: 200, task: parsed.userTasks?.[0]?.Status, body }
}

export async function strimziLikeRebalance (url: string, reconcileMs: number, timeoutMs: number): Promise<StrimziOutcome> {
  const outcome: StrimziOutcome = { state: 'New', everNotReady: false, reason: undefined, capacityErrors: 0 }
  const deadline = performance.now() + timeoutMs
  let taskId: string | null = null
  const fail = (body: string): void => {
    if (CAPACITY.test(body)) outcome.capacityErrors++
    outcome.state = 'NotReady'
    outcome.everNotReady = true
    outcome.reason = body.slice(0, 200)
  }
  const request = async (dryrun: boolean): Promise<void> => {
    const answer = await post(url, dryrun)
    if (answer.status === 200) outcome.state = dryrun ? 'ProposalReady' : 'Rebalancing'
    else if (answer.status === 202) outcome.state = dryrun ? 'PendingProposal' : 'Rebalancing'
    else return fail(answer.body)
    taskId = answer.taskId
  }
  await request(true)
  while (outcome.state !== 'NotReady' && outcome.state !== 'Ready' && performance.now() < deadline) {
    if (outcome.state === 'ProposalReady') {
      await request(false)
      continue
    }
    await new Promise((resolve) => setTimeout(resolve, reconcileMs))
    if (taskId === null) continue
    const poll = await taskStatus(url, taskId)
    if (poll.status !== 200) {
      if (CAPACITY.test(poll.body)) outcome.capacityErrors++
      continue
    }
    if (poll.task === 'CompletedWithError') fail(poll.body)
    else if (poll.task === 'Completed') outcome.state = outcome.state === 'PendingProposal' ? 'ProposalReady' : 'Ready'
  }
  return outcome
}
