// GET /tv/api/events on real HTTP: the resident's check-in when the alert engine asks (through the real
// outbox on fake timers), its end when answered, village broadcasts to every screen of that village only,
// and a revoked screen's stream closed at once.
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_LADDER } from '../../../src/alerts.ts'
import type { BroadcastInput } from '../../../src/content/content-schemas.ts'
import { tvBroadcast, tvCheckIn } from '../../../src/tv/tv-api.ts'
import { waitFor } from '../../helpers/mqtt-client.ts'
import { openEvents, pairScreen, tv, type TvStream } from './tv-client.ts'
import { H, T0, tvFixture, type TvFixture } from './tv-fixture.ts'

let fx: TvFixture | undefined
const streams: TvStream[] = []
afterEach(async () => {
  for (const s of streams.splice(0)) s.close()
  await fx?.close()
  fx = undefined
})

async function events (f: TvFixture, token?: string, lastEventId?: string): Promise<TvStream> {
  const s = await openEvents(f.gw, token, lastEventId)
  streams.push(s)
  return s
}

/** Wait for an event named `name` (advancing fake time by 0 so the outbox's due timers run). */
async function next (f: TvFixture, s: TvStream, name: string, after = 0): Promise<{ id: string | null, data: unknown }> {
  return waitFor(() => { f.time.advance(0); return s.events.slice(after).find((e) => e.event === name) }, 5000, `event ${name}`)
}

function broadcast (f: TvFixture, villageId: string): string {
  const input = { villageId, kind: 'typhoon', title: '台风红色预警', body: '请立即转移到安置点。', confirm: true, by: 'clerk-1' } as unknown as BroadcastInput
  return f.gw.content.broadcasts.start(input).id
}

describe('GET /tv/api/events', () => {
  it('takes over the household screen with the check-in and ends it when the resident answers', async () => {
    const f = fx = await tvFixture({ realOutbox: true })
    const { token } = await pairScreen(f.gw, { homeId: f.homeA })
    const s = await events(f, token)
    expect(s.status).toBe(200)
    expect(s.contentType).toBe('text/event-stream; charset=utf-8')
    await waitFor(() => f.gw.notify.sse.clientCount === 1 && s.text.includes('retry: 3000'), 5000, 'the stream to be attached')

    f.silence(3 * H)
    await next(f, s, 'checkin')
    const alertId = f.gw.alerts.openAlertOf(f.homeA, 'inactivity')!.id
    // The TV may be asked early and again at the full threshold: the latest ask is the one in force.
    await waitFor(() => { f.time.advance(0); return f.gw.notify.outbox.store.pendingByChannel().length === 0 }, 5000, 'the outbox to drain')
    const checkin = s.events.filter((e) => e.event === 'checkin').at(-1)!
    expect(tvCheckIn.parse(checkin.data)).toEqual({ alertId, askedAt: T0 + 3 * H, expiresAt: T0 + 3 * H + DEFAULT_LADDER.tvTimeoutMs })
    // The outbox id, so a reconnecting screen's Last-Event-ID replays what it missed.
    expect(checkin.id).toMatch(/^\d+$/)

    expect((await tv(f.gw, 'POST', '/checkin', token)).body).toEqual({ resolved: 1 })
    const count = s.events.length
    expect((await next(f, s, 'checkin_end', count)).data).toEqual({ alertId })
    await next(f, s, 'state', count)
  })

  it('replays what a screen missed while disconnected (Last-Event-ID) and keeps the stream warm', async () => {
    const f = fx = await tvFixture({ realOutbox: true })
    const { token } = await pairScreen(f.gw, { homeId: f.homeA })
    const first = await events(f, token)
    f.silence(3 * H)
    const asked = await next(f, first, 'checkin')
    first.close()
    await waitFor(() => f.gw.notify.sse.clientCount === 0, 5000, 'the screen to go away')
    // Answered from elsewhere (the screen was off): its end waits in the outbox for the screen.
    const alertId = f.gw.alerts.openAlertOf(f.homeA, 'inactivity')!.id
    f.gw.alerts.acknowledge(alertId, 'contact:fam-1')
    const again = await events(f, token, asked.id!)
    const end = await next(f, again, 'checkin_end')
    expect(end.data).toEqual({ alertId })
    expect(Number(end.id)).toBeGreaterThan(Number(asked.id))
    expect(again.events.some((e) => e.event === 'state')).toBe(true)
    // A comment every 15 s (on the gateway's clock) keeps proxies from closing an idle stream.
    f.silence(15_000)
    await waitFor(() => again.text.includes(': heartbeat'), 5000, 'a heartbeat')
  })

  it('sends an open check-in at once to a screen that connects late', async () => {
    const f = fx = await tvFixture({ realOutbox: true })
    const { token } = await pairScreen(f.gw, { homeId: f.homeA })
    f.silence(3 * H)
    const alertId = f.gw.alerts.openAlertOf(f.homeA, 'inactivity')!.id
    const s = await events(f, token)
    expect(tvCheckIn.parse((await next(f, s, 'checkin')).data).alertId).toBe(alertId)
  })

  it('broadcasts to every screen of the village, public or household, and to no other village', async () => {
    const f = fx = await tvFixture()
    // A second, newer village: token-less screens stay on the oldest (the default village).
    f.silence(1)
    const other = await f.gw.api<{ id: string }>('POST', '/api/v1/villages', { name: '下应村' })
    const home = await events(f, (await pairScreen(f.gw, { homeId: f.homeA })).token)
    const pub = await events(f)
    const elsewhere = await events(f, (await pairScreen(f.gw, { villageId: other.body.id })).token)
    await waitFor(() => [home, pub, elsewhere].every((s) => s.text.includes('retry:')), 5000, 'three streams')

    const id = broadcast(f, f.villageId)
    for (const s of [home, pub]) {
      expect(tvBroadcast.parse((await next(f, s, 'broadcast')).data)).toMatchObject({ id, kind: 'typhoon', title: '台风红色预警' })
    }
    // A screen connecting during the broadcast gets it at once.
    const late = await events(f)
    expect((await next(f, late, 'broadcast')).data).toMatchObject({ id })

    f.gw.content.broadcasts.end(id, 'clerk-1')
    for (const s of [home, pub, late]) expect((await next(f, s, 'broadcast_end')).data).toEqual({ id })
    expect(elsewhere.events).toEqual([])
  })

  it('ends every stream when the gateway stops, so shutdown never waits on a screen', async () => {
    const f = fx = await tvFixture()
    const household = await events(f, (await pairScreen(f.gw, { homeId: f.homeA })).token)
    const pub = await events(f)
    await waitFor(() => household.text.includes('retry:') && pub.text.includes('retry:'), 5000, 'two streams')
    await f.close()
    fx = undefined
    await Promise.all([household.ended, pub.ended])
  })

  it('closes a revoked screen\'s stream at once; it cannot reconnect', async () => {
    const f = fx = await tvFixture()
    const { token, screenId } = await pairScreen(f.gw, { homeId: f.homeA })
    const s = await events(f, token)
    await waitFor(() => s.text.includes('retry:'), 5000, 'the stream')
    expect((await f.gw.api('DELETE', `/api/v1/screens/${screenId}`)).status).toBe(200)
    await s.ended
    expect(f.gw.notify.sse.clientCount).toBe(0)
    const again = await events(f, token)
    expect(again.status).toBe(401)
    expect((await events(f, 'made-up')).status).toBe(401)
  })
})
