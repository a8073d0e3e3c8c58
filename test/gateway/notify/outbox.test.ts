// The durable outbox: rows survive a restart, failed sends retry with backoff, exhausted rows die loudly,
// concurrency is bounded, and enqueue joins the caller's SQLite transaction.
import { afterEach, describe, expect, it } from 'vitest'
import type { Notification } from '../../../src/alerts.ts'
import { eventually, startReceiver, type LocalReceiver } from './local-receiver.ts'
import { openNotify, type NotifyFixture } from './notify-fixture.ts'

const open: Array<() => Promise<unknown>> = []
afterEach(async () => { for (const close of open.splice(0).reverse()) await close() })

async function receiver (): Promise<LocalReceiver> {
  const r = await startReceiver()
  open.push(() => r.close())
  return r
}

function fixture (options: Parameters<typeof openNotify>[0] = {}): NotifyFixture {
  const fx = openNotify(options)
  open.push(() => fx.close())
  return fx
}

const alert = (text = '山下庄 12号 王奶奶 已 3 小时没有活动'): Notification =>
  ({ alertId: 'al-1', recipient: 'fam-1', channel: 'webhook', kind: 'alert', text, data: { homeId: 'h-1' } })

describe('outbox', () => {
  it('keeps queued messages across a restart and sends them when the next process starts', async () => {
    const hook = await receiver()
    const first = openNotify()
    first.notify.contactChannels.replace('fam-1', [{ channel: 'webhook', enabled: true, config: { url: `${hook.url}/hook` } }])
    // Never started (the gateway died before sending): the row is all there is.
    const [id] = first.notify.enqueueFor('fam-1', { alertId: 'al-1', kind: 'alert', text: '测试', data: {} })
    await first.close(false)

    const second = fixture({ dataDir: first.dataDir, seed: false })
    second.notify.start()
    second.time.advance(0)
    await eventually(() => second.notify.outbox.store.get(id as number)?.deliveredAt, 3000, 'delivery after restart')
    expect(hook.requests).toHaveLength(1)
    expect(JSON.parse(hook.requests[0]?.body ?? '')).toMatchObject({ id: String(id), kind: 'alert', text: '测试' })
  })

  it('resumes a row whose send was cut off by a crash once its lease runs out', async () => {
    const hook = await receiver()
    const first = openNotify()
    first.notify.contactChannels.replace('fam-1', [{ channel: 'webhook', enabled: true, config: { url: hook.url } }])
    const id = first.notify.enqueue(alert()) as number
    // The process claimed the row and died mid-send.
    first.notify.outbox.store.claimDue(first.time.now(), 10, first.time.now() + 40_000)
    await first.close(false)

    const second = fixture({ dataDir: first.dataDir, seed: false })
    second.notify.start()
    second.time.advance(39_999)
    expect(second.notify.outbox.inFlight).toBe(0)
    second.time.advance(1)
    await eventually(() => second.notify.outbox.store.get(id)?.deliveredAt, 3000, 'delivery after the lease')
    expect(hook.requests).toHaveLength(1)
  })

  it('retries a receiver answering 500 with exponential backoff and jitter, then delivers once', async () => {
    const hook = await receiver()
    hook.script = [{ status: 500, body: { error: 'down' } }, { status: 503 }]
    const fx = fixture()
    fx.notify.contactChannels.replace('fam-1', [{ channel: 'webhook', enabled: true, config: { url: hook.url } }])
    fx.notify.start()
    const id = fx.notify.enqueue(alert()) as number
    fx.time.advance(0)
    const t0 = fx.time.now()
    const failed = await eventually(() => { const r = fx.notify.outbox.store.get(id); return r?.attempts === 1 ? r : null }, 3000, 'first failure')
    // Equal jitter with random = 0.5: 5 s base → 2.5 s + 0.5 × 2.5 s.
    expect(failed.nextAttemptAt).toBe(t0 + 3750)
    expect(failed.lastError).toBe('HTTP 500: {"error":"down"}')
    await eventually(() => fx.time.nextAt === t0 + 3750, 1000, 'the retry timer')
    fx.time.advance(3749)
    expect(hook.requests).toHaveLength(1)
    fx.time.advance(1)
    const second = await eventually(() => { const r = fx.notify.outbox.store.get(id); return r?.attempts === 2 ? r : null }, 3000, 'second failure')
    expect(second.nextAttemptAt).toBe(t0 + 3750 + 7500) // doubled: 10 s → 5 s + 2.5 s
    await eventually(() => fx.time.nextAt === t0 + 11_250, 1000, 'the second retry timer')
    fx.time.advance(7500)
    const done = await eventually(() => fx.notify.outbox.store.get(id)?.deliveredAt ? fx.notify.outbox.store.get(id) : null, 3000, 'delivery')
    expect(done).toMatchObject({ attempts: 3, lastError: null, nextAttemptAt: null, deadAt: null })
    expect(hook.requests).toHaveLength(3)
    expect(new Set(hook.requests.map((r) => r.headers['x-anju-message-id']))).toEqual(new Set([String(id)]))
  })

  it('marks a row dead after its last attempt and logs it at error level', async () => {
    const hook = await receiver()
    hook.fallback = { status: 500 }
    const fx = fixture({ notify: { maxAttempts: 2 } })
    fx.notify.contactChannels.replace('fam-1', [{ channel: 'webhook', enabled: true, config: { url: hook.url } }])
    fx.notify.start()
    const id = fx.notify.enqueue(alert()) as number
    fx.time.advance(0)
    await eventually(() => fx.notify.outbox.store.get(id)?.attempts === 1, 3000, 'first failure')
    await eventually(() => fx.time.nextAt !== null, 1000, 'retry timer')
    fx.time.advance(60_000)
    const dead = await eventually(() => fx.notify.outbox.store.get(id)?.deadAt ? fx.notify.outbox.store.get(id) : null, 3000, 'dead row')
    expect(dead).toMatchObject({ attempts: 2, nextAttemptAt: null, deliveredAt: null })
    const loud = fx.logs.find((l) => l.level === 50 && String(l.msg).startsWith('NOTIFICATION DEAD'))
    expect(loud).toMatchObject({ outboxId: id, channel: 'webhook', recipient: 'fam-1', attempts: 2 })
    expect(JSON.stringify(fx.logs)).not.toContain('王奶奶')
  })

  it('sends at most `concurrency` messages at once', async () => {
    const hook = await receiver()
    let release = (): void => {}
    const held = new Promise<void>((resolve) => { release = resolve })
    hook.fallback = { status: 200, hold: held }
    const fx = fixture({ notify: { concurrency: 2 } })
    fx.notify.contactChannels.replace('fam-1', [{ channel: 'webhook', enabled: true, config: { url: hook.url } }])
    fx.notify.start()
    const ids = [1, 2, 3, 4, 5].map((n) => fx.notify.enqueue(alert(`消息 ${n}`)) as number)
    fx.time.advance(0)
    await eventually(() => hook.open === 2, 3000, 'two requests in flight')
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(hook.requests).toHaveLength(2)
    release()
    await eventually(() => ids.every((id) => fx.notify.outbox.store.get(id)?.deliveredAt), 3000, 'all delivered')
    expect(hook.maxOpen).toBe(2)
  })

  it('enqueue commits or rolls back with the caller\'s transaction; a dedupe key queues once', () => {
    const fx = fixture()
    expect(() => fx.db.transaction(() => {
      fx.notify.enqueue(alert())
      throw new Error('the alert state change failed')
    })()).toThrow('state change failed')
    expect(fx.db.prepare('SELECT COUNT(*) AS n FROM outbox').get()).toEqual({ n: 0 })

    fx.db.transaction(() => { fx.notify.enqueue(alert()) })()
    expect(fx.db.prepare('SELECT COUNT(*) AS n FROM outbox').get()).toEqual({ n: 1 })

    expect(fx.notify.enqueue(alert(), { dedupeKey: 'al-1:rung1:fam-1' })).not.toBeNull()
    expect(fx.notify.enqueue(alert(), { dedupeKey: 'al-1:rung1:fam-1' })).toBeNull()
  })

  it('puts an in-flight row back without using an attempt when stopped', async () => {
    const hook = await receiver()
    hook.fallback = { status: 200, hold: new Promise<void>(() => {}) }
    const fx = fixture()
    fx.notify.contactChannels.replace('fam-1', [{ channel: 'webhook', enabled: true, config: { url: hook.url } }])
    fx.notify.start()
    const id = fx.notify.enqueue(alert()) as number
    fx.time.advance(0)
    await eventually(() => hook.open === 1, 3000, 'request in flight')
    await fx.notify.stop()
    expect(fx.notify.outbox.store.get(id)).toMatchObject({ attempts: 0, deliveredAt: null, nextAttemptAt: fx.time.now() })
  })
})
