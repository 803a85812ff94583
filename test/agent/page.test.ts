/**
 * The status page in headless Chromium (Debian's, through playwright-core): it draws what the API
 * holds — connectors with their tasks, the rebalance and its proposal, groups with their status
 * and lag chart — and its approve button moves the rebalance on. Leaves a screenshot for the docs.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { Sandbox } from '../../src/agent/sandbox/sandbox.ts'
import { createLogger } from '../../src/observability/logger.ts'

let sandbox: Sandbox
let browser: Browser
let dir: string

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steadfast-page-test-'))
  sandbox = await Sandbox.start({ engine: 'mock', dir, port: 0, logger: createLogger({ level: 'silent' }) })
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] })
})

after(async () => {
  await browser?.close()
  await sandbox?.stop()
  await rm(dir, { recursive: true, force: true })
})

async function runUntil (loop: string, done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) await sandbox.agent.runtime.loop(loop)?.trigger()
  assert.ok(done(), `${loop} did not get there`)
}

test('the page shows connectors, the rebalance and the groups, and approves the rebalance', async () => {
  const runtime = sandbox.agent.runtime
  await runUntil('connectors', () => (runtime.connectors?.snapshot.connectors ?? []).filter((c) => c.condition.type === 'Ready').length === 2)
  await runUntil('rebalances', () => runtime.rebalances?.snapshot.rebalances[0]?.record.state === 'ProposalReady')
  // Six samples: a full lag window, so every group has its verdict and a chart.
  for (let i = 0; i < 6; i++) await runtime.loop('lag')?.trigger()

  const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } })
  await page.goto(`${sandbox.agent.url}/`)
  await page.locator('#connectors', { hasText: 'files-sink' }).waitFor()
  const connectorsText = await page.locator('#connectors').innerText()
  assert.match(connectorsText, /files-source\s+Ready/)
  assert.match(connectorsText, /files-sink\s+Ready/)
  assert.equal(await page.locator('#connectors tr', { hasText: 'files-sink' }).getByText('RUNNING').count(), 3, 'the connector and its two tasks')
  const rebalanceText = await page.locator('#rebalances').innerText()
  assert.match(rebalanceText, /full-rebalance\s+full\s+ProposalReady/)
  const moves = runtime.rebalances?.snapshot.rebalances[0]?.record.proposal?.summary.numReplicaMovements
  assert.ok(rebalanceText.includes(`${moves} replica moves`), rebalanceText)
  const groups = await page.locator('#groups').innerText()
  assert.match(groups, /billing\s+OK/)
  assert.match(groups, /audit\s+ERR/)
  assert.equal(await page.locator('#groups svg polyline').count(), 3)
  await page.screenshot({ path: process.env.STEADFAST_PAGE_SCREENSHOT ?? join(dir, 'status-page.png'), fullPage: true })

  const approve = page.locator('button[data-act="rebalances/full-rebalance/approve"]')
  await approve.click()
  // ProposalReady is the only state offering approve: the button goes once the page shows the next state.
  await approve.waitFor({ state: 'detached' })
  assert.match(await page.locator('#rebalances').innerText(), /full-rebalance\s+full\s+(Rebalancing|Ready)\b/)
  assert.ok(['Rebalancing', 'Ready'].includes((await sandbox.agent.runtime.rebalances?.lifecycle.get('full-rebalance'))?.state ?? ''))
})

test('a Ready connector whose worker leaves during a rebalance is shown "Ready, reassigning" with what Connect says, then Ready', async () => {
  const sim = sandbox.engine.connectSimulator
  assert.ok(sim !== undefined, 'the mock engine runs the Connect simulator')
  const runtime = sandbox.agent.runtime
  const sink = () => runtime.connectors?.snapshot.connectors.find((c) => c.name === 'files-sink')
  await runUntil('connectors', () => sink()?.condition.type === 'Ready' && sink()?.condition.reason === undefined)
  const worker = sink()?.tasks[0]?.workerId
  const url = sim.workers.find((w) => w.id === worker)?.url as string
  // A long rebalance is under way when the worker leaves, so what it ran stays UNASSIGNED until the test ends it.
  sim.rebalance(60_000)
  await sim.removeWorker(url)
  try {
    await runtime.loop('connectors')?.trigger()
    assert.equal(sink()?.condition.type, 'Ready')
    assert.equal(sink()?.condition.reason, 'Reassigning')
    const status = await (await fetch(`${sandbox.agent.url}/api/status`)).json() as { connectors: { rebalanceGraceMs: number, connectors: Array<{ name: string, condition: { type: string, reason?: string, message?: string } }> } }
    assert.equal(status.connectors.rebalanceGraceMs, 60_000)
    const shown = status.connectors.connectors.find((c) => c.name === 'files-sink')?.condition
    assert.equal(shown?.reason, 'Reassigning')
    assert.match(shown?.message ?? '', /UNASSIGNED, declared running; a worker-group rebalance is moving it \(since .+\); NotReady if it lasts past the 60 s rebalance grace$/)

    const page = await browser.newPage()
    await page.goto(`${sandbox.agent.url}/`)
    const row = page.locator('#connectors tr', { hasText: 'files-sink' })
    await row.getByText('Ready, reassigning').waitFor()
    assert.match(await row.innerText(), /Ready, reassigning\s+\S.*UNASSIGNED, declared running; a worker-group rebalance is moving it/)

    sim.group.finishRebalance()
    await runtime.loop('connectors')?.trigger()
    assert.deepEqual(sink()?.condition, { type: 'Ready' })
    await row.getByText('Ready, reassigning').waitFor({ state: 'detached' })
  } finally {
    sim.group.finishRebalance()
    await sim.restartWorker(url)
  }
  const said = sandbox.agent.events.recent(20).filter((e) => e.subject === 'files-sink').map((e) => e.message)
  assert.equal(said[0], 'Ready', 'events, newest first')
  assert.match(said[1] ?? '', /^Ready, reassigning: .*UNASSIGNED, declared running; a worker-group rebalance is moving it/)
})

test('the clients\' recent retries are listed: a connector created through a Connect 409 storm', async () => {
  const sim = sandbox.engine.connectSimulator
  assert.ok(sim !== undefined)
  const storm = sim.storm({ durationMs: 1000 })
  await writeFile(join(dir, 'manifests', 'retried.yaml'), 'kind: KafkaConnector\nmetadata: { name: retried }\nspec:\n  class: org.apache.kafka.connect.file.FileStreamSinkConnector\n  config: { file: /tmp/steadfast-retried.txt, topics: files }\n')
  await sandbox.agent.runtime.loop('connectors')?.trigger()
  await storm
  const page = await browser.newPage()
  await page.goto(`${sandbox.agent.url}/`)
  const row = page.locator('#retries tr', { hasText: 'createConnector' }).first()
  await row.waitFor()
  assert.match(await row.innerText(), /connect\s+createConnector\s+\d+\s+\d+ ms\s+rebalance\s+Connect POST http:\/\/127\.0\.0\.1:\d+\/connectors answered 409/)
  await unlink(join(dir, 'manifests', 'retried.yaml'))
})
