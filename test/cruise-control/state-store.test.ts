import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readdir, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { JsonStateStore, StateLockedError, StateStoreError, defaultStateDir } from '../../src/cruise-control/state-store.ts'
import { tempDir } from './fixtures.ts'

describe('JsonStateStore', () => {
  test('put, get, list and delete round-trip records, leaving no temporary files', async (t) => {
    const { dir, cleanup } = await tempDir()
    t.after(cleanup)
    const store = new JsonStateStore<{ name: string, n: number }>(join(dir, 'nested', 'state'))
    assert.deepEqual(await store.list(), [])
    assert.equal(await store.get('a'), undefined)
    await Promise.all(Array.from({ length: 10 }, async (_, n) => await store.put({ name: 'a', n })))
    assert.equal(typeof (await store.get('a'))?.n, 'number')
    await store.put({ name: 'b', n: 2 })
    assert.deepEqual((await store.list()).map((r) => r.name), ['a', 'b'])
    assert.deepEqual(await readdir(store.dir), ['a.json', 'b.json'])
    assert.equal(await store.delete('a'), true)
    assert.equal(await store.delete('a'), false)
    assert.deepEqual((await store.list()).map((r) => r.name), ['b'])
  })

  test('a corrupt file and an unsafe name are named in the error', async (t) => {
    const { dir, cleanup } = await tempDir()
    t.after(cleanup)
    const store = new JsonStateStore<{ name: string }>(dir)
    await writeFile(join(dir, 'broken.json'), '{"name": ')
    await assert.rejects(store.get('broken'), (error: unknown) => error instanceof StateStoreError && error.message.includes('broken.json is not valid JSON'))
    await assert.rejects(store.put({ name: '../escape' }), /rebalance name "\.\.\/escape" must be lower-case/)
  })

  test('withLock runs holders one at a time and removes its lock file afterwards', async (t) => {
    const { dir, cleanup } = await tempDir()
    t.after(cleanup)
    const stores = [new JsonStateStore<{ name: string }>(dir), new JsonStateStore<{ name: string }>(dir)]
    let inside = 0
    let most = 0
    await Promise.all(Array.from({ length: 6 }, async (_, i) => await stores[i % 2].withLock('a', async () => {
      inside++
      most = Math.max(most, inside)
      await new Promise((resolve) => setTimeout(resolve, 5))
      inside--
    })))
    assert.equal(most, 1)
    assert.deepEqual(await readdir(dir), [])
  })

  test('a lock held by a live process makes others wait, then fail naming the holder; a dead holder\'s lock is taken over', async (t) => {
    const { dir, cleanup } = await tempDir()
    t.after(cleanup)
    const store = new JsonStateStore<{ name: string }>(dir)
    const lock = join(dir, 'busy.json.lock')
    await writeFile(lock, JSON.stringify({ token: 'other', pid: process.pid, host: hostname(), at: '2026-01-01T00:00:00.000Z' }))
    await assert.rejects(store.withLock('busy', async () => {}, { waitMs: 50 }),
      (error: unknown) => error instanceof StateLockedError && /rebalance busy is being updated by process \d+ on .* \(since 2026-01-01/.test(error.message))

    const dead = spawnSync(process.execPath, ['-e', '']).pid
    await writeFile(lock, JSON.stringify({ token: 'gone', pid: dead, host: hostname(), at: '2026-01-01T00:00:00.000Z' }))
    assert.equal(await store.withLock('busy', async () => 'ran', { waitMs: 50 }), 'ran')
    assert.deepEqual(await readdir(dir), [])
  })

  test('the default directory follows STEADFAST_STATE_DIR, then XDG_STATE_HOME, then ~/.local/state', () => {
    assert.equal(defaultStateDir({ STEADFAST_STATE_DIR: '/srv/sf' }), '/srv/sf')
    assert.equal(defaultStateDir({ XDG_STATE_HOME: '/x' }), '/x/steadfast/cruise-control')
    assert.match(defaultStateDir({}), /\.local\/state\/steadfast\/cruise-control$/)
  })
})
