import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer as createHttpServer } from 'node:http'
import { createServer } from 'node:net'
import { CruiseControlClient } from '../../src/cruise-control/client.ts'
import { errorText, normaliseBaseUrl, queryString } from '../../src/cruise-control/http.ts'
import { concurrencyFor, limiterFor } from '../../src/cruise-control/limiter.ts'
import { proposalsRequest, rebalanceRequest, removeDisksRequest } from '../../src/cruise-control/operations.ts'
import {
  CruiseControlResponseError, optimizationResultSchema, parseResponse, stateSchema, userTasksSchema,
} from '../../src/cruise-control/schemas.ts'
import { Registry } from 'prom-client'
import { createLogger } from '../../src/observability/logger.ts'
import { AbortedError, DeadlineExceededError, HttpResponseError, InvalidArgumentError, SteadfastError, TransportError } from '../../src/resilience/errors.ts'
import { clientFor, eventually, quiet, scriptedServer, startSim } from './fixtures.ts'

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
    assert.ok(seen.length >= 1, 'it answered 202 at least once')
    assert.ok(seen.every((s) => s === seen[0] && s.startsWith('Rebalance:')))
    // The first request creates the task; every poll after it carries the task's id.
    const id = seen[0].slice('Rebalance:'.length)
    assert.deepEqual(sim.requests.map((r) => r.userTaskId), [undefined, ...seen.map(() => id)])
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
    // Only a POST starts an execution: a GET that happens to carry dryrun=false is retried like any read.
    connections = 0
    await assert.rejects(client.send({ method: 'GET', endpoint: 'state', params: { dryrun: false } }), DeadlineExceededError)
    assert.ok(connections > 1, `a GET with dryrun=false was sent ${connections} time(s)`)
  })
})

describe('Cruise Control client pieces', () => {
  test('the base URL gets the /kafkacruisecontrol root once; bad URLs are named', () => {
    assert.equal(normaliseBaseUrl('http://cc:9090'), 'http://cc:9090/kafkacruisecontrol')
    assert.equal(normaliseBaseUrl('https://cc:9090/kafkacruisecontrol/'), 'https://cc:9090/kafkacruisecontrol')
    assert.equal(normaliseBaseUrl('http://proxy/cc'), 'http://proxy/cc/kafkacruisecontrol')
    assert.throws(() => normaliseBaseUrl('cc:9090x'), /must use http or https|is not a URL/)
    assert.throws(() => normaliseBaseUrl('not a url'), /"not a url" is not a URL/)
    assert.throws(() => normaliseBaseUrl('ftp://cc:21'), /cruise-control url: "ftp:\/\/cc:21" must use http or https/)
    assert.equal(normaliseBaseUrl('http://cc:9090/kafkacruisecontrol///'), 'http://cc:9090/kafkacruisecontrol')
    assert.equal(normaliseBaseUrl('http://cc:9090/'), 'http://cc:9090/kafkacruisecontrol')
    assert.equal(normaliseBaseUrl('http://proxy/cc/kafkacruisecontrol'), 'http://proxy/cc/kafkacruisecontrol', 'a root below a proxy prefix is kept')
    assert.throws(() => normaliseBaseUrl('not a url'), (error: unknown) => error instanceof InvalidArgumentError && error.cause instanceof TypeError, 'the URL parser\'s complaint is the cause')
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
    assert.equal(errorText({ errorMessage: 'from errorMessage', message: 'from message' }), 'from errorMessage')
    assert.equal(errorText({ message: 'a proxy\'s message' }), 'a proxy\'s message')
    assert.equal(errorText({ version: 1 }), undefined)
    assert.equal(errorText(null), undefined)
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

describe('Cruise Control client: options and answers the simulator runs show', () => {
  const CAPACITY_BODY = { version: 1, errorMessage: "Error processing GET request '/state' due to: 'There are already 5 active user tasks, which has reached the servlet capacity.'." }
  const PROGRESS = { version: 1, progress: [{ operation: 'Rebalance', operationProgress: [{ step: 'WAITING_FOR_CLUSTER_MODEL', description: 'x', 'time-in-ms': 1, 'completion-percentage': 0 }] }] }

  test('the capacity 500 is retried until the deadline, however many attempts that takes (no attempt limit)', async (t) => {
    // 12 refusals: more than the retry loop's default limit of 10 attempts.
    const server = await scriptedServer((_request, n) => n < 12 ? { status: 500, body: CAPACITY_BODY } : { status: 200, body: { version: 1 } })
    const client = new CruiseControlClient({ url: server.url, logger: quiet, retry: { initialDelayMs: 1, maxDelayMs: 1, deadlineMs: 20_000 } })
    t.after(async () => { await client.close(); await server.close() })
    assert.equal((await client.send({ method: 'GET', endpoint: 'state', params: {} })).status, 200)
    assert.equal(server.seen.length, 13)
  })

  test('the User-Agent is steadfast unless userAgent is given (Cruise Control shows it as the task\'s client)', async (t) => {
    const server = await scriptedServer(() => ({ status: 200, body: { version: 1 } }))
    const plain = new CruiseControlClient({ url: server.url, logger: quiet })
    const named = new CruiseControlClient({ url: server.url, logger: quiet, userAgent: 'rebalancer/2' })
    t.after(async () => { await plain.close(); await named.close(); await server.close() })
    await plain.send({ method: 'GET', endpoint: 'state', params: {} })
    await named.send({ method: 'GET', endpoint: 'state', params: {} })
    assert.deepEqual(server.seen.map((r) => r.headers['user-agent']), ['steadfast', 'rebalancer/2'])
  })

  test('every exchange is counted by endpoint and status in the client\'s registry, under its client id', async (t) => {
    const sim = await startSim()
    const own = new Registry()
    const named = clientFor(sim, { registry: own, clientId: 'cc-metrics' })
    const otherRegistry = new Registry()
    const plain = clientFor(sim, { registry: otherRegistry })
    t.after(async () => { await named.close(); await plain.close(); await sim.stop() })
    await named.kafkaClusterState()
    await assert.rejects(named.send({ method: 'GET', endpoint: 'state', params: { bogus: 1 } }), HttpResponseError)
    await plain.kafkaClusterState()
    const counts = async (registry: Registry): Promise<unknown[]> => {
      const metric = await registry.getSingleMetric('steadfast_cruise_control_requests_total')?.get()
      return (metric?.values ?? []).map((v) => [v.labels.endpoint, v.labels.status, v.labels.client_id, v.value]).sort()
    }
    assert.deepEqual(await counts(own), [['kafka_cluster_state', '200', 'cc-metrics', 1], ['state', '400', 'cc-metrics', 1]])
    assert.deepEqual(await counts(otherRegistry), [['kafka_cluster_state', '200', 'steadfast-cruise-control', 1]])
  })

  test('a forgotten task is logged at warn on the client\'s logger, with the task it polled', async (t) => {
    const sim = await startSim({ proposalComputeMs: 300 })
    const lines: Array<{ level: number, msg: string, userTaskId?: string, endpoint?: string }> = []
    const logger = createLogger({ level: 'warn', destination: { write: (line: string) => { lines.push(JSON.parse(line)) } } })
    const client = clientFor(sim, { logger })
    t.after(async () => { await client.close(); await sim.stop() })
    let polled: string | undefined
    await client.complete(rebalanceRequest(), optimizationResultSchema, {
      onProgress: (_progress, id) => { if (polled === undefined) { polled = id; sim.restart() } },
    })
    const forgot = lines.filter((l) => l.msg === 'cruise-control forgot the task; requesting again')
    assert.deepEqual(forgot.map((l) => [l.level, l.endpoint, l.userTaskId]), [[40, 'rebalance', polled]])
  })

  test('a reason in stopOn comes back at once; without it the same answer is retried', async (t) => {
    const sim = await startSim({ warmupMs: 60_000 })
    const client = clientFor(sim, { retry: { initialDelayMs: 10, maxDelayMs: 20, deadlineMs: 300 } })
    t.after(async () => { await client.close(); await sim.stop() })
    await assert.rejects(client.send(rebalanceRequest(), { stopOn: ['not-enough-valid-windows'] }), (error: unknown) => error instanceof HttpResponseError && error.reason === 'not-enough-valid-windows')
    assert.equal(sim.requests.length, 1)
    await assert.rejects(client.send(rebalanceRequest()), (error: unknown) => error instanceof DeadlineExceededError && error.cause instanceof HttpResponseError && error.cause.reason === 'not-enough-valid-windows')
    assert.ok(sim.requests.length > 2, `retried: ${sim.requests.length - 1} request(s) without stopOn`)
  })

  test('a request aborted while it waits for a limiter slot leaves the queue', async (t) => {
    let release: (() => void) | undefined
    const held = new Promise<void>((resolve) => { release = resolve })
    const server = await scriptedServer(async (_request, n) => { if (n === 0) await held; return { status: 200, body: { version: 1 } } })
    // maxActiveUserTasks 2: one request at a time, so the second waits for the first's slot.
    const client = new CruiseControlClient({ url: server.url, logger: quiet, maxActiveUserTasks: 2 })
    t.after(async () => { release?.(); await client.close(); await server.close() })
    const first = client.send({ method: 'GET', endpoint: 'state', params: {} })
    await eventually('the first request reached the server', () => server.seen.length === 1)
    const controller = new AbortController()
    const second = client.send({ method: 'GET', endpoint: 'load', params: {} }, { signal: controller.signal })
    await eventually('the second request waits for the slot', () => client.limiter.queued === 1)
    controller.abort(new Error('not needed any more'))
    await assert.rejects(second, AbortedError)
    assert.equal(client.limiter.queued, 0, 'the aborted request left the limiter\'s queue')
    release?.()
    assert.equal((await first).status, 200)
    assert.deepEqual(server.seen.map((r) => r.url.split('?')[0]), ['/kafkacruisecontrol/state'])
  })

  test('an async operation that outlasts operationTimeoutMs ends in DeadlineExceededError, on the one task it polled', async (t) => {
    const sim = await startSim({ proposalComputeMs: 600_000, maxBlockTimeMs: 20 })
    const client = clientFor(sim, { operationTimeoutMs: 300 })
    t.after(async () => { await client.close(); await sim.stop() })
    await assert.rejects(client.proposals(), (error: unknown) => error instanceof DeadlineExceededError && /did not finish within 300 ms/.test(error.message))
    assert.equal(sim.tasksCreated, 1)
    assert.ok(sim.requests.length > 1, 'it was polled')
  })

  test('a caller\'s abort while an operation is polled is an abort, not a deadline', async (t) => {
    const sim = await startSim({ proposalComputeMs: 600_000, maxBlockTimeMs: 20 })
    const client = clientFor(sim)
    t.after(async () => { await client.close(); await sim.stop() })
    const controller = new AbortController()
    const stop = new Error('operator stop')
    await assert.rejects(client.complete(proposalsRequest(), optimizationResultSchema, { signal: controller.signal, onProgress: () => controller.abort(stop) }),
      (error: unknown) => error instanceof AbortedError && error.cause === stop)
    assert.equal(sim.tasksCreated, 1)
  })

  test('a 202 without a User-Task-ID cannot be polled: bad-response, not a hang', async (t) => {
    const server = await scriptedServer(() => ({ status: 202, body: PROGRESS }))
    const client = new CruiseControlClient({ url: server.url, logger: quiet })
    t.after(async () => { await client.close(); await server.close() })
    await assert.rejects(client.submit(rebalanceRequest(), optimizationResultSchema), (error: unknown) => error instanceof SteadfastError && error.reason === 'bad-response' && /answered 202 without a User-Task-ID/.test(error.message))
    assert.equal(server.seen.length, 1)
  })

  test('submit names the task that answered: from the header, or the one polled when the answer has none', async (t) => {
    const server = await scriptedServer((_request, n) => n === 0
      ? { status: 202, headers: { 'user-task-id': 'task-1' }, body: PROGRESS }
      : { status: 200, body: { summary: { numReplicaMovements: 3, dataToMoveMB: 1, numLeaderMovements: 0 } } })
    const client = new CruiseControlClient({ url: server.url, logger: quiet })
    t.after(async () => { await client.close(); await server.close() })
    const started = await client.submit(rebalanceRequest(), optimizationResultSchema)
    assert.deepEqual([started.done, started.userTaskId], [false, 'task-1'])
    const finished = await client.submit(rebalanceRequest(), optimizationResultSchema, { userTaskId: 'task-1' })
    assert.deepEqual([finished.done, finished.userTaskId], [true, 'task-1'])
    assert.equal(finished.done && finished.result.summary.numReplicaMovements, 3)
    assert.deepEqual(server.seen.map((r) => r.headers['user-task-id']), [undefined, 'task-1'])
  })
})
