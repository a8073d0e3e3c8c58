// Screen tokens never reach a log line, even at trace level and on error paths: the event stream's `?t=`
// is redacted from the URL before anything can log it, and the Authorization header is redacted by the
// logger. The gateway runs with a real logger writing into memory.
import { Writable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { createLogger } from '../../../gateway/logger.ts'
import { redactTokenParam } from '../../../gateway/tv/tv-routes.ts'
import { waitFor } from '../../helpers/mqtt-client.ts'
import { seedHome, startGateway, type TestGateway } from '../../helpers/start-gateway.ts'
import { openEvents, pairScreen, tv } from './tv-client.ts'

const open: Array<() => Promise<void>> = []
afterEach(async () => { for (const close of open.splice(0).reverse()) await close() })

async function loggedGateway (lines: string[]): Promise<TestGateway> {
  const sink = new Writable({ write (chunk: Buffer, _enc, done) { lines.push(chunk.toString('utf8')); done() } })
  const gw = await startGateway({ logLevel: 'trace' }, { log: createLogger('trace', sink) })
  open.push(() => gw.stop())
  return gw
}

describe('screen tokens in logs', () => {
  it('never logs a token, at trace level, on success or failure', async () => {
    const lines: string[] = []
    const gw = await loggedGateway(lines)
    const { homeId } = await seedHome(gw)
    const { token, screenId } = await pairScreen(gw, { homeId })

    expect((await tv(gw, 'GET', '/state', token)).status).toBe(200)
    expect((await tv(gw, 'POST', '/checkin', token)).status).toBe(200)
    const stream = await openEvents(gw, token)
    open.push(async () => { stream.close() })
    await waitFor(() => stream.text.includes('retry:'), 5000, 'the stream')
    // Failures with the token in the URL: bad input, then a revoked screen.
    expect((await openEvents(gw, token, 'not-a-number')).status).toBe(400)
    expect((await gw.api('DELETE', `/api/v1/screens/${screenId}`)).status).toBe(200)
    await stream.ended
    expect((await openEvents(gw, token)).status).toBe(401)
    expect((await tv(gw, 'GET', '/state', token)).status).toBe(401)
    const res = await fetch(`${gw.urls.http}/tv/api/events?t=${token}&t=${token}`)
    expect(res.status).toBeGreaterThanOrEqual(400)
    await res.text()

    await gw.stop()
    open.length = 0
    const log = lines.join('')
    expect(log).toContain('TV check-in')
    expect(log).not.toContain(token)
    expect(log).not.toContain(token.slice(0, 16))
  })

  it('redacts every t= parameter of a URL', () => {
    expect(redactTokenParam('/tv/api/events?t=abc_DEF-1&lastEventId=3')).toBe('/tv/api/events?t=[redacted]&lastEventId=3')
    expect(redactTokenParam('/tv/api/events?lastEventId=3&t=abc')).toBe('/tv/api/events?lastEventId=3&t=[redacted]')
    expect(redactTokenParam('/tv/api/events?at=1')).toBe('/tv/api/events?at=1')
  })
})
