/** The bootstrap source: lists, functions (rate-limited, a failure keeps the old list) and watched files. */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BootstrapResolver } from '../../src/cluster/bootstrap-source.ts'
import { Cluster } from '../../src/cluster/cluster.ts'
import { formatAddress } from '../../src/cluster/bootstrap.ts'
import { createLogger } from '../../src/observability/logger.ts'
import { InvalidArgumentError } from '../../src/resilience/errors.ts'

const logger = createLogger({ level: 'silent' })
const listOf = (r: { current: readonly { host: string, port: number }[] }): string => r.current.map(formatAddress).join(',')

describe('BootstrapResolver', () => {
  test('a fixed list is parsed at once and is not dynamic', async () => {
    const r = new BootstrapResolver(['a:1', 'b:2,c:3'], { logger })
    assert.equal(listOf(r), 'a:1,b:2,c:3')
    assert.equal(r.dynamic, false)
    assert.equal((await r.refresh()).length, 3)
  })

  test('a function is called on refresh, at most once per interval; concurrent refreshes share a call; a failure keeps the list', async () => {
    let calls = 0
    let fail = false
    const r = new BootstrapResolver(async () => {
      calls++
      if (fail) throw new Error('discovery is down')
      return `h${calls}:9092`
    }, { logger, minRefreshIntervalMs: 60_000 })
    assert.equal(listOf(r), '')
    const [a, b] = await Promise.all([r.refresh(), r.refresh()])
    assert.equal(calls, 1)
    assert.equal(a, b)
    assert.equal(listOf(r), 'h1:9092')
    await r.refresh()
    assert.equal(calls, 1, 'within the interval the list it has is used')
    const quick = new BootstrapResolver(() => { calls++; if (fail) throw new Error('down'); return 'x:1' }, { logger, minRefreshIntervalMs: 0 })
    await quick.refresh()
    fail = true
    await quick.refresh()
    assert.equal(listOf(quick), 'x:1', 'a failed call keeps the list from before')
  })

  test('a watched file: read at once, replaced when it changes (comments and lines allowed)', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'steadfast-bootstrap-'))
    t.after(() => { rmSync(dir, { recursive: true, force: true }) })
    const file = join(dir, 'brokers.txt')
    writeFileSync(file, '# brokers\nold1:9092\nold2:9092\n')
    const cluster = new Cluster({ bootstrap: { file }, logger })
    t.after(() => cluster.close())
    assert.equal(listOf({ current: cluster.bootstrap }), 'old1:9092,old2:9092')
    const changed = once(cluster, 'bootstrap-changed')
    writeFileSync(file, 'new1:9192, new2:9192 # moved\n')
    const [list] = await changed as [readonly { host: string, port: number }[]]
    assert.equal(list.map(formatAddress).join(','), 'new1:9192,new2:9192')
    assert.equal(cluster.bootstrap.map(formatAddress).join(','), 'new1:9192,new2:9192')
  })

  // Node 24's watchFile missed about 4 in 10 changes written right after it started (its first
  // stat already saw them); ten files make a miss all but certain without the resolver's own look.
  test('a file changed right after the watch starts is not missed', { timeout: 60_000 }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'steadfast-bootstrap-'))
    t.after(() => { rmSync(dir, { recursive: true, force: true }) })
    const lists = await Promise.all(Array.from({ length: 10 }, async (_, i) => {
      const file = join(dir, `brokers-${i}.txt`)
      writeFileSync(file, `old${i}:9092\n`)
      let resolver: BootstrapResolver | undefined
      const changed = new Promise<readonly { host: string, port: number }[]>((resolve) => {
        resolver = new BootstrapResolver({ file }, { logger, onChange: resolve })
      })
      t.after(() => resolver?.close())
      writeFileSync(file, `new${i}:9192\n`)
      return (await changed).map(formatAddress).join(',')
    }))
    assert.deepEqual(lists, Array.from({ length: 10 }, (_, i) => `new${i}:9192`))
  })

  // The poll is set to an hour: only the directory watch can report these changes in time.
  test('a change is seen through the directory watch, also when the file is replaced by a rename', { timeout: 30_000 }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'steadfast-bootstrap-'))
    t.after(() => { rmSync(dir, { recursive: true, force: true }) })
    const file = join(dir, 'brokers.txt')
    writeFileSync(file, 'old:9092\n')
    const seen: string[] = []
    let next: (() => void) | undefined
    const resolver = new BootstrapResolver({ file }, {
      logger,
      filePollMs: 3_600_000,
      onChange: (list) => { seen.push(list.map(formatAddress).join(',')); next?.() }
    })
    t.after(() => { resolver.close() })
    const change = async (write: () => void): Promise<void> => {
      const reported = new Promise<void>((resolve) => { next = resolve })
      write()
      await reported
    }
    await change(() => { writeFileSync(file, 'edited:9192\n') })
    await change(() => {
      writeFileSync(join(dir, 'brokers.txt.tmp'), 'renamed:9292\n')
      renameSync(join(dir, 'brokers.txt.tmp'), file)
    })
    assert.deepEqual(seen, ['edited:9192', 'renamed:9292'])
    assert.equal(listOf(resolver), 'renamed:9292')
  })

  test('a missing file and a source of no known shape are refused, naming them', () => {
    assert.throws(() => new BootstrapResolver({ file: '/nonexistent/brokers.txt' }, { logger }), (e: Error) => e instanceof InvalidArgumentError && /bootstrap file \/nonexistent\/brokers.txt cannot be read/.test(e.message))
    assert.throws(() => new BootstrapResolver({ path: 'x' } as never, { logger }), /bootstrap must be host:port/)
  })
})
