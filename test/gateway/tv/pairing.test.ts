// Pairing a screen as a clerk does it: the screen shows a code, the clerk types it in the console, the
// screen receives its token exactly once. Wrong codes are 404 and lock pairing after ten a minute.
import { afterEach, describe, expect, it } from 'vitest'
import { pairStatusResponse } from '../../../src/tv/tv-api.ts'
import { WRONG_CODES_PER_WINDOW } from '../../../gateway/tv/pairing.ts'
import { seedHome, startGateway, type TestGateway } from '../../helpers/start-gateway.ts'
import { pairStatus, startPairing, tv } from './tv-client.ts'

const open: TestGateway[] = []
afterEach(async () => { for (const gw of open.splice(0)) await gw.stop() })

async function gateway (clock?: { now: () => number }): Promise<TestGateway> {
  const gw = await startGateway({}, clock)
  open.push(gw)
  return gw
}

/** A six-digit code no live pairing shows. */
function otherCode (code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0')
}

describe('screen pairing', () => {
  it('binds the screen showing the code to a home; the token comes once, only to the screen', async () => {
    const gw = await gateway()
    const { homeId, villageId } = await seedHome(gw)
    const start = await startPairing(gw)
    expect(start.code).toMatch(/^\d{6}$/)
    expect(await pairStatus(gw, start.pairingId)).toEqual({ state: 'waiting' })

    const paired = await gw.api<Record<string, unknown>>('POST', '/api/v1/screens/pair', { code: start.code, homeId, label: '客厅电视', by: 'clerk-1' })
    expect(paired.status).toBe(201)
    expect(paired.body).toMatchObject({ homeId, villageId, label: '客厅电视', pairedBy: 'clerk-1', revokedAt: null })
    expect(JSON.stringify(paired.body)).not.toMatch(/token|hash/i)

    const first = await pairStatus(gw, start.pairingId)
    expect(first.state).toBe('paired')
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(await pairStatus(gw, start.pairingId)).toEqual({ state: 'paired' })

    const state = await tv<{ screen: { paired: boolean, screenId: string } }>(gw, 'GET', '/state', first.token)
    expect(state.status).toBe(200)
    expect(state.body.screen).toMatchObject({ paired: true, screenId: paired.body.id })

    // Stored as a hash only; the list shows no secret; pairing is audited.
    const row = gw.db.prepare('SELECT token_hash AS hash FROM screens WHERE id = ?').get(paired.body.id) as { hash: string }
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(row.hash).not.toContain(first.token)
    const list = await gw.api<unknown[]>('GET', '/api/v1/screens')
    expect(list.body).toHaveLength(1)
    expect(JSON.stringify(list.body)).not.toContain(row.hash)
    expect(gw.db.prepare("SELECT actor, action, entity, entity_id AS id FROM audit_log WHERE entity = 'screen'").all())
      .toEqual([{ actor: 'clerk-1', action: 'pair', entity: 'screen', id: paired.body.id }])

    // The code is spent: typing it again is a wrong code.
    expect((await gw.api('POST', '/api/v1/screens/pair', { code: start.code, villageId, by: 'clerk-1' })).status).toBe(404)
  })

  it('pairs a village screen; live codes are distinct', async () => {
    const gw = await gateway()
    const { villageId } = await seedHome(gw)
    const codes = new Set<string>()
    for (let i = 0; i < 5; i++) codes.add((await startPairing(gw)).code)
    expect(codes.size).toBe(5)
    const start = await startPairing(gw)
    const paired = await gw.api<{ homeId: string | null, villageId: string, label: string }>('POST', '/api/v1/screens/pair', { code: start.code, villageId, by: 'clerk-1' })
    expect(paired.status).toBe(201)
    expect(paired.body).toMatchObject({ homeId: null, villageId, label: '山下庄村公共屏' })
  })

  it('answers a wrong code with 404 and locks pairing after ten wrong codes a minute', async () => {
    let now = Date.UTC(2025, 0, 6, 2)
    const gw = await gateway({ now: () => now })
    const { homeId } = await seedHome(gw)
    const start = await startPairing(gw)
    const wrong = otherCode(start.code)

    const miss = await gw.api<{ error: string, message: string }>('POST', '/api/v1/screens/pair', { code: wrong, homeId, by: 'clerk-1' })
    expect(miss.status).toBe(404)
    expect(miss.body).toMatchObject({ error: 'PAIRING_CODE_NOT_FOUND' })
    expect(miss.body.message).toContain('wrong or expired')
    for (let i = 1; i < WRONG_CODES_PER_WINDOW; i++) {
      expect((await gw.api('POST', '/api/v1/screens/pair', { code: wrong, homeId, by: `clerk-${i}` })).status).toBe(404)
    }
    // Locked for everyone, even with the right code, until the minute is over.
    const locked = await gw.api<{ error: string }>('POST', '/api/v1/screens/pair', { code: start.code, homeId, by: 'clerk-2' })
    expect(locked.status).toBe(429)
    expect(locked.body.error).toBe('RATE_LIMITED')
    now += 60_000
    expect((await gw.api('POST', '/api/v1/screens/pair', { code: start.code, homeId, by: 'clerk-2' })).status).toBe(201)
  })

  it('expires a code after 10 minutes; an unknown pairing reads as expired', async () => {
    let now = Date.UTC(2025, 0, 6, 2)
    const gw = await gateway({ now: () => now })
    const { homeId } = await seedHome(gw)
    const start = await startPairing(gw)
    expect(start.expiresAt).toBe(now + 10 * 60_000)
    now += 10 * 60_000
    expect(await pairStatus(gw, start.pairingId)).toEqual({ state: 'expired' })
    expect((await gw.api('POST', '/api/v1/screens/pair', { code: start.code, homeId, by: 'clerk-1' })).status).toBe(404)
    expect(pairStatusResponse.parse((await tv(gw, 'GET', '/pair/not-a-real-pairing-id-0000')).body)).toEqual({ state: 'expired' })
  })

  it('limits pair/start per address and refuses bad pair input', async () => {
    const gw = await gateway()
    const { homeId, villageId } = await seedHome(gw)
    let status = 200
    for (let i = 0; i < 40 && status === 200; i++) status = (await tv(gw, 'POST', '/pair/start')).status
    expect(status).toBe(429)
    expect((await gw.api('POST', '/api/v1/screens/pair', { code: '123456', homeId, villageId, by: 'x' })).status).toBe(400)
    expect((await gw.api('POST', '/api/v1/screens/pair', { code: '12345', homeId, by: 'x' })).status).toBe(400)
    expect((await tv(gw, 'POST', '/pair/start')).headers.get('cache-control')).toBe('no-store')
  })
})
