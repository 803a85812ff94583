import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer as createHttpServer } from 'node:http'
import { createServer } from 'node:net'
import { CruiseControlClient } from '../../src/cruise-control/client.ts'
import { errorText, normaliseBaseUrl, queryString } from '../../src/cruise-control/http.ts'
import { concurrencyFor, limiterFor } from '../../src/cruise-control/limiter.ts'
import { rebalanceRequest, removeDisksRequest } from '../../src/cruise-control/operations.ts'
import {
  CruiseControlResponseError, optimizationResultSchema, parseResponse, stateSchema, userTasksSchema,
} from '../../src/cruise-control/schemas.ts'
import { DeadlineExceededError, HttpResponseError, InvalidArgumentError, TransportError } from '../../src/resilience/errors.ts'
import { clientFor, quiet, startSim } from './fixtures.ts'

describe('Cruise Control client against the simulator: typed parsing of every endpoint', () => {
  test('state, load, partition_load, kafka_cluster_state, proposals, user_tasks, sampling and stop', async (t) => {
    const sim = await startSim()
    const client = clientFor(sim)
    t.after(async () => { await client.close(); await sim.stop() })

    const state = await client.state()
    assert.equal(state.AnalyzerState?.isProposalReady, true)
    assert.equal(state.ExecutorState?.state, 'NO_TASK_IN_PROGRESS')
    assert.equal(state.MonitorState?.state, 'RUNNING')
    assert.ok(state.AnomalyDetectorState !== undefined)
    const narrowed = await client.state({ substates: ['executor'] })
    assert.deepEqual(Object.keys(narrowed).sort(), ['ExecutorState', 'version'])

    const load = await client.load()
    assert.deepEqual(load.brokers.map((b) => b.Broker), [0, 1, 2, 3])
    assert.equal(load.brokers[3].Replicas, 0, 'broker 3 starts empty')
    assert.equal(load.hosts?.length, 4)

    const partitions = await client.partitionLoad({ entries: 5, topic: 'orders' })
    assert.equal(partitions.records.length, 5)
    assert.ok(partitions.records.every((r) => r.topic === 'orders' && r.followers?.length === 2))

    const cluster = await client.kafkaClusterState()
    assert.deepEqual(cluster.KafkaBrokerState.ReplicaCountByBrokerId, Object.fromEntries(sim.model.brokerLoad().map((b) => [String(b.id), b.replicas])))
    assert.deepEqual(cluster.KafkaPartitionState?.urp, [])

    const proposals = await client.proposals({ verbose: true })
    assert.ok(proposals.summary.numReplicaMovements > 0)
    assert.equal(proposals.proposals?.length, new Set(proposals.proposals?.map((p) => `${p.topicPartition.topic}-${p.topicPartition.partition}`)).size)
    assert.ok(proposals.loadBeforeOptimization?.brokers !== undefined)
    assert.ok((proposals.goalSummary?.length ?? 0) > 0)

    assert.equal((await client.pauseSampling({ reason: 'test' })).message, 'Metric sampling paused.')
    assert.equal((await client.state({ substates: ['monitor'] })).MonitorState?.state, 'PAUSED')
    assert.equal((await client.resumeSampling()).message, 'Metric sampling resumed.')
    assert.equal((await client.stopProposalExecution()).message, 'Proposal execution stopped.')

    const tasks = await client.userTasks({ fetchCompletedTask: true })
    const proposalTask = tasks.userTasks.find((u) => u.RequestURL.startsWith('GET /kafkacruisecontrol/proposals'))
    assert.ok(proposalTask !== undefined)
    assert.equal(proposalTask.Status, 'Completed')
    assert.equal(typeof proposalTask.StartMs, 'number')
    const original = parseResponse(optimizationResultSchema, JSON.parse(proposalTask.originalResponse ?? '{}'), 'originalResponse')
    assert.equal(original.summary.numReplicaMovements, proposals.summary.numReplicaMovements)
  })

  test('rebalance, add_broker, remove_broker, demote_broker and remove_disks return optimization results in the reference shape', async (t) => {
    const sim = await startSim()
    const client = clientFor(sim)
    t.after(async () => { await client.close(); await sim.stop() })
    const full = await client.rebalance({ goals: ['ReplicaDistributionGoal'], excludedTopics: 'audit-log' })
    assert.deepEqual(full.summary.excludedTopics, ['audit-log'])
    assert.deepEqual(full.goalSummary?.map((g) => g.goal), ['ReplicaDistributionGoal'])
    const added = await client.addBroker([3])
    assert.ok(added.summary.numReplicaMovements > 0)
    assert.ok((added.loadAfterOptimization?.brokers?.find((b) => b.Broker === 3)?.Replicas ?? 0) > 0)
    const removed = await client.removeBroker([0], { verbose: true })
    assert.ok(removed.proposals?.every((p) => !p.newReplicas.includes(0)))
    assert.deepEqual(removed.summary.excludedBrokersForReplicaMove, [0])
    const demoted = await client.demoteBroker([0])
    assert.equal(demoted.summary.numReplicaMovements, 0)
    assert.ok(demoted.summary.numLeaderMovements > 0)
    const disks = await client.removeDisks({ 1: ['/var/lib/kafka/data-1'] })
    assert.ok((disks.summary.numIntraBrokerReplicaMovements ?? 0) > 0)
    assert.equal(disks.summary.numReplicaMovements, 0)
    assert.equal(sim.executing, false, 'everything above was a dry run')
  })

  test('an async operation that answers 202 is polled by User-Task-ID without creating tasks', async (t) => {
    const sim = await startSim({ proposalComputeMs: 250 })
    const client = clientFor(sim)
    t.after(async () => { await client.close(); await sim.stop() })
    const seen: string[] = []
    const result = await client.complete(rebalanceRequest(), optimizationResultSchema, { onProgress: (p, id) => seen.push(`${p.progress[0].operation}:${id}`) })
    assert.ok(result.summary.numReplicaMovements > 0)
    assert.equal(sim.tasksCreated, 1)
    assert.ok(seen.length >= 1)
    assert.ok(seen.every((s) => s === seen[0] && s.startsWith('Rebalance:')))
  })

  test('a task Cruise Control forgot (restart) is requested again, not reported as a failure', async (t) => {
    const sim = await startSim({ proposalComputeMs: 300 })
    const client = clientFor(sim)
    t.after(async () => { await client.close(); await sim.stop() })
    let restarted = false
    const result = await client.complete(rebalanceRequest(), optimizationResultSchema, {
      onProgress: () => { if (!restarted) { restarted = true; sim.restart() } },
    })
    assert.ok(result.summary.numReplicaMovements > 0)
    assert.equal(sim.tasksCreated, 2)
    assert.ok(sim.requests.some((r) => r.userTaskId !== undefined && r.status === 500))
  })

  test('capacity 500s are retried: a burst larger than the server allows all succeeds, one request at a time', async (t) => {
    const sim = await startSim({ maxActiveUserTasks: 2, scanIntervalMs: 40 })
    const client = clientFor(sim, { maxActiveUserTasks: 2 })
    t.after(async () => { await client.close(); await sim.stop() })
    const results = await Promise.all(Array.from({ length: 8 }, async () => await client.kafkaClusterState()))
    assert.equal(results.length, 8)
    assert.ok(sim.capacityRejections > 0)
    assert.equal(sim.maxInFlight, 1)
    assert.equal(client.limiter.maxConcurrent, 1)
  })

  test('an unknown broker is fatal at once, with the server message and the classifier reason', async (t) => {
    const sim = await startSim()
    const client = clientFor(sim)
    t.after(async () => { await client.close(); await sim.stop() })
    await assert.rejects(client.addBroker([42]), (error: unknown) => {
      assert.ok(error instanceof HttpResponseError)
      assert.equal(error.status, 500)
      assert.equal(error.reason, 'unknown-broker')
      assert.match(error.serverMessage ?? '', /Broker 42 does not exist\./)
      return true
    })
    assert.equal(sim.tasksCreated, 1, 'not retried')
  })

  test('a bad parameter is a 400, fatal, naming the parameter', async (t) => {
    const sim = await startSim()
    const client = clientFor(sim)
    t.after(async () => { await client.close(); await sim.stop() })
    await assert.rejects(client.send({ method: 'GET', endpoint: 'state', params: { bogus: 1 } }), (error: unknown) => {
      assert.ok(error instanceof HttpResponseError)
      assert.equal(error.status, 400)
      assert.equal(error.action, 'fatal')
      assert.match(error.message, /Unrecognized endpoint parameters in state GET request: \[bogus\]/)
      return true
    })
  })

  test('basic auth is sent; without it the server refuses with a fatal 401', async (t) => {
    const sim = await startSim({ auth: { username: 'ops', password: 's3cret' } })
    const good = clientFor(sim, { auth: { username: 'ops', password: 's3cret' } })
    const bad = clientFor(sim)
    t.after(async () => { await good.close(); await bad.close(); await sim.stop() })
    assert.ok((await good.kafkaClusterState()).KafkaBrokerState !== undefined)
    await assert.rejects(bad.kafkaClusterState(), (error: unknown) => error instanceof HttpResponseError && error.status === 401 && error.action === 'fatal')
  })

  test('a server that is not there: transport errors are retried until the deadline, which names the last cause', async (t) => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer()
      server.listen(0, '127.0.0.1', () => {
        const p = (server.address() as { port: number }).port
        server.close(() => resolve(p))
      })
    })
    const client = new CruiseControlClient({ url: `http://127.0.0.1:${port}`, logger: quiet, retry: { initialDelayMs: 10, maxDelayMs: 40, deadlineMs: 250 } })
    t.after(async () => await client.close())
    await assert.rejects(client.kafkaClusterState(), (error: unknown) => {
      assert.ok(error instanceof DeadlineExceededError)
      assert.ok(error.cause instanceof TransportError)
      assert.equal(error.cause.systemCode, 'ECONNREFUSED')
      return true
    })
  })
})

describe('Cruise Control client: request timeouts', () => {
  test('a server that stalls a read before answering times out, and the read is retried', async (t) => {
    // The first request is never answered, so only the client's own timeout can end it; the
    // second is. Without the timeout the call would hang until the 5 s deadline.
    const closedUnanswered: boolean[] = []
    const server = createHttpServer((req, res) => {
      if (closedUnanswered.length === 0) {
        closedUnanswered.push(false)
        req.socket.on('close', () => { closedUnanswered[0] = true })
        return
      }
      closedUnanswered.push(false)
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"MonitorState":{"state":"RUNNING"},"version":1}')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const client = new CruiseControlClient({
      url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, logger: quiet, requestTimeoutMs: 50, retry: { initialDelayMs: 10, maxDelayMs: 40, deadlineMs: 5_000 },
    })
    t.after(async () => { await client.close(); server.closeAllConnections(); await new Promise((resolve) => server.close(resolve)) })
    assert.equal((await client.state()).MonitorState?.state, 'RUNNING')
    assert.equal(closedUnanswered.length, 2, 'one stalled request, one answered retry')
    assert.equal(closedUnanswered[0], true, 'the client gave up the stalled request and closed its connection')
  })
})

describe('Cruise Control client: executing requests', () => {
  test('a connection that drops on dryrun=false is not re-sent (it may have started an execution); on a dry run it is', async (t) => {
    let connections = 0
    const server = createServer((socket) => { connections++; socket.destroy() })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const client = new CruiseControlClient({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, logger: quiet, retry: { initialDelayMs: 10, maxDelayMs: 20, deadlineMs: 200 } })
    t.after(async () => { await client.close(); await new Promise((resolve) => server.close(resolve)) })

    await assert.rejects(client.send(rebalanceRequest({ dryRun: false })), (error: unknown) => error instanceof TransportError)
    assert.equal(connections, 1)
    connections = 0
    await assert.rejects(client.send(rebalanceRequest({ dryRun: true })), DeadlineExceededError)
    assert.ok(connections > 1, `a dry run was sent ${connections} time(s)`)
  })
})

describe('Cruise Control client pieces', () => {
  test('the base URL gets the /kafkacruisecontrol root once; bad URLs are named', () => {
    assert.equal(normaliseBaseUrl('http://cc:9090'), 'http://cc:9090/kafkacruisecontrol')
    assert.equal(normaliseBaseUrl('https://cc:9090/kafkacruisecontrol/'), 'https://cc:9090/kafkacruisecontrol')
    assert.equal(normaliseBaseUrl('http://proxy/cc'), 'http://proxy/cc/kafkacruisecontrol')
    assert.throws(() => normaliseBaseUrl('cc:9090x'), /must use http or https|is not a URL/)
    assert.throws(() => normaliseBaseUrl('not a url'), /"not a url" is not a URL/)
  })

  test('json=true is always sent, whatever the caller passed; undefined parameters are left out', () => {
    assert.equal(queryString({ dryrun: false, goals: undefined, json: false }), 'dryrun=false&json=true')
    assert.equal(queryString({}), 'json=true')
    assert.deepEqual(rebalanceRequest().params.dryrun, true)
    assert.equal(removeDisksRequest({ 1: ['/a', '/b'], 2: ['/c'] }).params.brokerid_and_logdirs, '1-/a,1-/b,2-/c')
    assert.throws(() => removeDisksRequest({}), /at least one log directory/)
  })

  test('error text comes from errorMessage of JSON bodies and from plain-text bodies', () => {
    assert.equal(errorText({ version: 1, stackTrace: 'x', errorMessage: 'boom' }), 'boom')
    assert.equal(errorText('There are already 5 active user tasks, which has reached the servlet capacity.'), 'There are already 5 active user tasks, which has reached the servlet capacity.')
    assert.equal(errorText(42), undefined)
  })

  test('the limiter is one per server, sized maxActiveUserTasks - 1, and sizes must agree', () => {
    assert.equal(concurrencyFor(5), 4)
    assert.equal(concurrencyFor(1), 1)
    assert.throws(() => concurrencyFor(0), InvalidArgumentError)
    const a = limiterFor('http://limiter-test/kafkacruisecontrol', 5)
    assert.equal(limiterFor('http://limiter-test/kafkacruisecontrol', 5), a)
    assert.throws(() => limiterFor('http://limiter-test/kafkacruisecontrol', 3), /conflicts with another client/)
  })
})

describe('response parsing', () => {
  test('missing optional fields are tolerated and unknown fields kept', () => {
    const minimal = parseResponse(optimizationResultSchema, { summary: { numReplicaMovements: 1, dataToMoveMB: 2, numLeaderMovements: 0, futureField: 'x' }, extra: true }, 'rebalance')
    assert.equal(minimal.summary.numReplicaMovements, 1)
    assert.equal((minimal.summary as Record<string, unknown>).futureField, 'x')
    assert.equal((minimal as Record<string, unknown>).extra, true)
    assert.deepEqual(parseResponse(stateSchema, { version: 1 }, 'state'), { version: 1 })
    const tasks = parseResponse(userTasksSchema, { userTasks: [{ UserTaskId: 'a', RequestURL: 'GET /x', StartMs: '17', Status: 'InExecution' }] }, 'user_tasks')
    assert.equal(tasks.userTasks[0].StartMs, 17)
  })

  test('a body of the wrong shape is a CruiseControlResponseError naming the endpoint and the field', () => {
    assert.throws(() => parseResponse(optimizationResultSchema, { summary: { numReplicaMovements: 'many' } }, 'rebalance'), (error: unknown) => {
      assert.ok(error instanceof CruiseControlResponseError)
      assert.match(error.message, /cruise-control rebalance: unexpected response, summary\.numReplicaMovements:/)
      return true
    })
    assert.throws(() => parseResponse(userTasksSchema, { userTasks: [{ UserTaskId: 'a', RequestURL: 'x', StartMs: 1, Status: 'Sleeping' }] }, 'user_tasks'), /userTasks\.0\.Status/)
    assert.throws(() => parseResponse(stateSchema, 'plain text', 'state'), /state: unexpected response, body/)
  })
})
