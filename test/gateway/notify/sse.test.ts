// Server-sent events on a real gateway with a real HTTP client: a TV notification arrives within a
// second, a reconnect with Last-Event-ID replays what was missed, a screen that connects late gets
// what waited for it, and closing the gateway ends open streams.
import { afterEach, describe, expect, it } from 'vitest'
import type { Notification } from '../../../src/alerts.ts'
import { SseHub, type SseSink } from '../../../gateway/notify/channels/sse-hub.ts'
import { seedHome, startGateway, type TestGateway } from '../../helpers/start-gateway.ts'
import { eventually } from './local-receiver.ts'
import { FakeTime as ManualTime } from '../../helpers/fake-time.ts'
import { connectSse, type SseConnection } from './sse-client.ts'

const open: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => { for (const close of open.splice(0).reverse()) await close() })

async function gateway (): Promise<{ gw: TestGateway, homeId: string, stream: (last?: string) => Promise<SseConnection> }> {
  const gw = await startGateway()
  open.push(() => gw.stop())
  const { homeId } = await seedHome(gw)
  const stream = async (last?: string): Promise<SseConnection> => {
    const conn = await connectSse(`${gw.urls.http}/api/v1/events/stream?home=${homeId}`, gw.adminToken, last)
    open.push(() => conn.close())
    return conn
  }
  return { gw, homeId, stream }
}

const checkin = (homeId: string, text = '您还好吗？按确认键报平安'): Notification =>
  ({ alertId: 'al-1', recipient: `tv:${homeId}`, channel: 'sse', kind: 'checkin', text, data: { homeId } })

describe('SSE stream for a home\'s screens', () => {
  it('delivers a TV notification promptly, with the outbox id as the event id', async () => {
    const { gw, homeId, stream } = await gateway()
    const tv = await stream()
    expect(tv.status).toBe(200)
    expect(tv.contentType).toBe('text/event-stream; charset=utf-8')
    await eventually(() => gw.notify.sse.clientCount === 1, 5000, 'client registered')
    const id = gw.notify.enqueue(checkin(homeId)) as number
    // No retry timer is involved: the push happens on enqueue. Speed itself is not asserted here (a
    // loaded CI machine), only that it arrives without any timer advancing.
    const [event] = await eventually(() => tv.events.length > 0 ? tv.events : null, 5000, 'the check-in event')
    expect(event).toMatchObject({ id: String(id), event: 'checkin', data: { id: String(id), kind: 'checkin', text: '您还好吗？按确认键报平安', data: { homeId } } })
    await eventually(() => gw.notify.outbox.store.get(id)?.deliveredAt, 5000, 'marked delivered')
    const metrics = await (await fetch(`${gw.urls.http}/metrics`)).text()
    expect(metrics).toContain('anju_sse_clients 1')
    expect(metrics).toContain('anju_notify_sent_total{channel="sse"} 1')
    expect(metrics).toContain('anju_notify_pending{channel="sse"} 0')
  })

  it('replays what a reconnecting client missed from its Last-Event-ID', async () => {
    const { gw, homeId, stream } = await gateway()
    const first = await stream()
    await eventually(() => gw.notify.sse.clientCount === 1, 1000, 'client registered')
    const a = gw.notify.enqueue(checkin(homeId, '一')) as number
    await eventually(() => first.events.length === 1, 1000, 'first event')
    first.close()
    await eventually(() => gw.notify.sse.clientCount === 0, 1000, 'client gone')

    const b = gw.notify.enqueue(checkin(homeId, '二')) as number
    const c = gw.notify.enqueue(checkin(homeId, '三')) as number
    // Nobody is watching: the rows fail and wait for a retry.
    await eventually(() => gw.notify.outbox.store.get(c)?.attempts === 1, 1000, 'failed without a client')
    expect(gw.notify.outbox.store.get(b)?.lastError).toBe('no screen of this home is connected')

    const again = await stream(String(a))
    await eventually(() => again.events.length === 2, 1000, 'replayed events')
    expect(again.events.map((e) => e.id)).toEqual([String(b), String(c)])
    expect(again.events.map((e) => (e.data as { text: string }).text)).toEqual(['二', '三'])
    expect(gw.notify.outbox.store.get(b)?.deliveredAt).not.toBeNull()
    // Nothing is written twice even though the rows were also due for a retry.
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(again.events).toHaveLength(2)
  })

  it('a screen connecting without Last-Event-ID gets the messages that were waiting for it at once', async () => {
    const { gw, homeId, stream } = await gateway()
    const id = gw.notify.enqueue(checkin(homeId)) as number
    await eventually(() => gw.notify.outbox.store.get(id)?.attempts === 1, 1000, 'failed without a client')
    const tv = await stream()
    await eventually(() => tv.events.length === 1, 1000, 'waiting message')
    expect(tv.events[0]?.id).toBe(String(id))
  })

  it('refuses a stream without the admin token', async () => {
    const { gw, homeId } = await gateway()
    const res = await fetch(`${gw.urls.http}/api/v1/events/stream?home=${homeId}`)
    expect(res.status).toBe(401)
  })

  it('closing the gateway ends open streams instead of hanging', async () => {
    const gw = await startGateway()
    const { homeId } = await seedHome(gw)
    const tv = await connectSse(`${gw.urls.http}/api/v1/events/stream?home=${homeId}`, gw.adminToken)
    await eventually(() => gw.notify.sse.clientCount === 1, 5000, 'client registered')
    await gw.stop()
    // Resolves only if the server ended the stream; a hanging stream would time the test out.
    await tv.ended
  })
})

describe('SseHub', () => {
  it('writes a heartbeat comment every 15 s while clients are connected', () => {
    const time = new ManualTime(0)
    const hub = new SseHub(time, time)
    const written: string[] = []
    const sink: SseSink = { write: (c) => { written.push(c); return true }, end: () => {}, destroy: () => {}, writableLength: 0 }
    const client = hub.add('h-1', sink)
    time.advance(14_999)
    expect(written).toEqual([])
    time.advance(1)
    time.advance(15_000)
    expect(written).toEqual([': heartbeat\n\n', ': heartbeat\n\n'])
    client.remove()
    expect(time.nextAt).toBeNull()
  })
})
