// Admin token guessing: after 20 wrong tokens in a minute the address gets 429 with Retry-After, even
// with the right token, until the minute is over.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../../helpers/start-gateway.ts'

describe('admin API token guessing', () => {
  let gw: TestGateway
  beforeAll(async () => { gw = await startGateway() })
  afterAll(async () => { await gw.stop() })

  const get = (token: string) => gw.http.inject({ method: 'GET', url: '/api/v1/villages', headers: { authorization: `Bearer ${token}` } })

  it('answers 401 to each wrong token, then 429 to every request from that address', async () => {
    const statuses = []
    for (let i = 0; i < 20; i++) statuses.push((await get(`guess-${i}`)).statusCode)
    expect(new Set(statuses)).toEqual(new Set([401]))
    const locked = await get(gw.adminToken)
    expect(locked.statusCode).toBe(429)
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0)
    // Another address is not affected.
    const elsewhere = await gw.http.inject({ method: 'GET', url: '/api/v1/villages', remoteAddress: '10.1.2.3', headers: { authorization: `Bearer ${gw.adminToken}` } })
    expect(elsewhere.statusCode).toBe(200)
  })
})
