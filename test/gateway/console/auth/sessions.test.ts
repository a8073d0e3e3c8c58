// Sign-in, cookies, CSRF, rate limit and expiry over real HTTP against a real gateway.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUser, login, signIn } from '../../../helpers/console-session.ts'
import { FakeTime } from '../../../helpers/fake-time.ts'
import { startGateway, type TestGateway } from '../../../helpers/start-gateway.ts'

function sessionCookie (headers: Headers): string {
  return headers.getSetCookie().find((c) => c.startsWith('anju_session=')) ?? ''
}

describe('console sessions', () => {
  let gw: TestGateway
  beforeAll(async () => { gw = await startGateway({ console: { loginMaxFailuresPerUser: 3, loginMaxFailuresPerIp: 1000 } }) })
  afterAll(async () => { await gw.stop() })

  it('signs in with an HttpOnly, SameSite=Strict cookie scoped to /console, and signs out', async () => {
    const creds = await createUser(gw, { role: 'admin' })
    const res = await login(gw, creds.username, creds.password)
    expect(res.status).toBe(200)
    expect(res.body.user).toMatchObject({ id: creds.id, username: creds.username, role: 'admin', mustChangePassword: false, scope: { villageIds: [], gridIds: [], homeIds: [] } })
    expect(res.body.csrfToken).toMatch(/^[\w-]{43}$/)
    const cookie = sessionCookie(res.headers)
    expect(res.cookie).toMatch(/^[\w-]{43}$/) // 32 random bytes, base64url
    expect(cookie).toContain('HttpOnly')
    expect(cookie).toContain('SameSite=Strict')
    expect(cookie).toContain('Path=/console')
    expect(cookie).toContain(`Max-Age=${8 * 3600}`)
    expect(cookie).not.toContain('Secure') // plain http and secureCookies 'auto'
    expect(JSON.stringify(res.body)).not.toContain('hash')

    const client = await signIn(gw, creds.username, creds.password)
    expect((await client.get('/session')).body.user.username).toBe(creds.username)
    const out = await client.delete('/session')
    expect(out.status).toBe(204)
    expect(sessionCookie(out.headers)).toMatch(/anju_session=;|Max-Age=0|Expires=Thu, 01 Jan 1970/)
    const after = await client.get('/session')
    expect(after.status).toBe(401)
    expect(after.body.error).toBe('NOT_SIGNED_IN')
  })

  it('answers a console API request without a session with 401 before any route runs', async () => {
    const res = await fetch(`${gw.urls.http}/console/api/users`)
    expect(res.status).toBe(401)
    const forged = await fetch(`${gw.urls.http}/console/api/session`, { headers: { cookie: 'anju_session=' + 'A'.repeat(43) } })
    expect(forged.status).toBe(401)
  })

  it('guards the sibling console routes too: no session 401, a write without the CSRF header 403', async () => {
    expect((await fetch(`${gw.urls.http}/console/api/villages`)).status).toBe(401)
    const creds = await createUser(gw, { role: 'admin' })
    const admin = await signIn(gw, creds.username, creds.password)
    expect((await admin.get('/villages')).status).toBe(200)
    const noCsrf = await admin.request('POST', '/villages', { name: '下应村' }, { csrf: null })
    expect(noCsrf.status).toBe(403)
    expect(noCsrf.body.error).toBe('CSRF')
    expect(gw.db.prepare("SELECT count(*) AS n FROM villages WHERE name = '下应村'").get()).toEqual({ n: 0 })
  })

  it('gives the same answer for an unknown user, a wrong password and a disabled account', async () => {
    const creds = await createUser(gw, { role: 'admin' })
    const disabled = await createUser(gw, { role: 'admin' })
    gw.db.prepare('UPDATE users SET disabled_at = 1 WHERE id = ?').run(disabled.id)
    const answers = await Promise.all([
      login(gw, 'nobody-here', 'whatever-password'),
      login(gw, creds.username, 'wrong-password-1'),
      login(gw, disabled.username, disabled.password)
    ])
    for (const a of answers) {
      expect(a.status).toBe(401)
      expect(a.body).toEqual({ error: 'BAD_CREDENTIALS', message: 'wrong username or password' })
      expect(a.cookie).toBeNull()
    }
  })

  it('accepts sign-in only as JSON (a cross-site form cannot send it without a preflight)', async () => {
    const res = await fetch(`${gw.urls.http}/console/api/session`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"username":"a","password":"b"}' })
    expect(res.status).toBe(415)
    const form = await fetch(`${gw.urls.http}/console/api/session`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=a&password=b' })
    expect(form.status).toBe(415)
  })

  it('refuses writes without the right x-csrf-token and accepts them with it', async () => {
    const admin = await signIn(gw, ...await createPair('admin'))
    const target = await createUser(gw, { role: 'admin' })
    const missing = await admin.request('PATCH', `/users/${target.id}`, { displayName: 'x' }, { csrf: null })
    expect(missing.status).toBe(403)
    expect(missing.body.error).toBe('CSRF')
    const wrong = await admin.request('PATCH', `/users/${target.id}`, { displayName: 'x' }, { csrf: admin.csrfToken.replace(/.$/, (c) => c === 'A' ? 'B' : 'A') })
    expect(wrong.status).toBe(403)
    expect((await admin.request('DELETE', '/session', undefined, { csrf: null })).status).toBe(403)
    const ok = await admin.patch(`/users/${target.id}`, { displayName: '王书记' })
    expect(ok.status).toBe(200)
    expect(ok.body.displayName).toBe('王书记')
    // Reads need no token.
    expect((await admin.request('GET', '/users', undefined, { csrf: null })).status).toBe(200)
  })

  it('rate-limits failed sign-ins per username with 429 and Retry-After; success clears the count', async () => {
    const creds = await createUser(gw, { role: 'clerk', scope: { villageIds: [await village(gw)] } })
    for (let i = 0; i < 2; i++) expect((await login(gw, creds.username, 'wrong-password-x')).status).toBe(401)
    expect((await login(gw, creds.username, creds.password)).status).toBe(200) // clears the count
    for (let i = 0; i < 3; i++) expect((await login(gw, creds.username, 'wrong-password-x')).status).toBe(401)
    const limited = await login(gw, creds.username, creds.password) // even the right password waits
    expect(limited.status).toBe(429)
    expect(limited.body.error).toBe('RATE_LIMITED')
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(15 * 60)
    expect(limited.cookie).toBeNull()
    // Another account is unaffected.
    const other = await createUser(gw, { role: 'admin' })
    expect((await login(gw, other.username, other.password)).status).toBe(200)
  })

  it('counts parallel guesses before checking them, so a burst cannot slip under the limit', async () => {
    const creds = await createUser(gw, { role: 'admin' })
    const answers = await Promise.all(Array.from({ length: 10 }, async () => await login(gw, creds.username, 'parallel-guess-1')))
    const statuses = answers.map((a) => a.status)
    expect(statuses.filter((s) => s === 401)).toHaveLength(3)
    expect(statuses.filter((s) => s === 429)).toHaveLength(7)
  })

  it('ends the sessions of a disabled user at once, and refuses to disable the last admin', async () => {
    const admin = await signIn(gw, ...await createPair('admin'))
    const clerk = await createUser(gw, { role: 'clerk', scope: { villageIds: [await village(gw)] } })
    const clerkSession = await signIn(gw, clerk.username, clerk.password)
    expect((await clerkSession.get('/session')).status).toBe(200)
    expect((await admin.patch(`/users/${clerk.id}`, { disabled: true })).body.disabled).toBe(true)
    expect((await clerkSession.get('/session')).status).toBe(401)
    expect((await login(gw, clerk.username, clerk.password)).body.error).toBe('BAD_CREDENTIALS')
    // Enabled again: signs in again (an old cookie stays dead).
    await admin.patch(`/users/${clerk.id}`, { disabled: false })
    expect((await login(gw, clerk.username, clerk.password)).status).toBe(200)
    expect((await clerkSession.get('/session')).status).toBe(401)

    // Disable every other admin, then try the last one.
    for (const row of gw.db.prepare("SELECT id FROM users WHERE role = 'admin' AND id != ?").all(admin.user.id) as Array<{ id: string }>) {
      await admin.patch(`/users/${row.id}`, { disabled: true })
    }
    const last = await admin.patch(`/users/${admin.user.id}`, { disabled: true })
    expect(last.status).toBe(409)
  })

  it('resets a password to a one-time password shown once, ending the user\'s sessions', async () => {
    const admin = await signIn(gw, ...await createPair('admin'))
    const clerk = await createUser(gw, { role: 'clerk', scope: { villageIds: [await village(gw)] } })
    const old = await signIn(gw, clerk.username, clerk.password)
    const reset = await admin.post(`/users/${clerk.id}/reset-password`)
    expect(reset.status).toBe(200)
    expect(reset.body.user.mustChangePassword).toBe(true)
    expect((await old.get('/session')).status).toBe(401)
    expect((await login(gw, clerk.username, clerk.password)).status).toBe(401)
    const fresh = await signIn(gw, clerk.username, reset.body.oneTimePassword)
    expect((await fresh.get('/users')).body.error).toBe('PASSWORD_CHANGE_REQUIRED')
    expect((await admin.get('/users')).body.users.find((u: { id: string }) => u.id === clerk.id)).not.toHaveProperty('oneTimePassword')
  })

  async function createPair (role: 'admin'): Promise<[string, string]> {
    const c = await createUser(gw, { role })
    return [c.username, c.password]
  }
})

describe('console session expiry (fake clock)', () => {
  const time = new FakeTime(Date.UTC(2026, 10, 1, 8))
  let gw: TestGateway
  beforeAll(async () => { gw = await startGateway({}, time) })
  afterAll(async () => { await gw.stop() })

  it('ends a session after 8 idle hours, sliding with activity', async () => {
    const creds = await createUser(gw, { role: 'admin' })
    const client = await signIn(gw, creds.username, creds.password)
    time.advance(7 * 3_600_000)
    expect((await client.get('/session')).status).toBe(200) // activity pushes the expiry
    time.advance(7 * 3_600_000)
    expect((await client.get('/session')).status).toBe(200)
    time.advance(8 * 3_600_000 + 1000)
    expect((await client.get('/session')).status).toBe(401)
  })

  it('ends an active session 7 days after sign-in', async () => {
    const creds = await createUser(gw, { role: 'admin' })
    const client = await signIn(gw, creds.username, creds.password)
    for (let h = 0; h < 7 * 24 - 6; h += 6) {
      time.advance(6 * 3_600_000)
      expect((await client.get('/session')).status).toBe(200)
    }
    time.advance(6 * 3_600_000)
    expect((await client.get('/session')).status).toBe(401)
  })
})

describe('console cookies behind TLS', () => {
  it('marks the cookie Secure when secureCookies is always', async () => {
    const gw = await startGateway({ console: { secureCookies: 'always' } })
    try {
      const creds = await createUser(gw, { role: 'admin' })
      const res = await login(gw, creds.username, creds.password)
      expect(sessionCookie(res.headers)).toContain('Secure')
    } finally {
      await gw.stop()
    }
  })
})

async function village (gw: TestGateway): Promise<string> {
  const v = await gw.api<{ id: string }>('POST', '/api/v1/villages', { name: '山下庄村' })
  return v.body.id
}

describe('console sign-in limit per IP', () => {
  it('answers 429 from one address after too many failures across usernames', async () => {
    const gw = await startGateway({ console: { loginMaxFailuresPerUser: 100, loginMaxFailuresPerIp: 4 } })
    try {
      const creds = await createUser(gw, { role: 'admin' })
      for (let i = 0; i < 4; i++) expect((await login(gw, `spray-${i}`, 'some-password-1')).status).toBe(401)
      const limited = await login(gw, creds.username, creds.password)
      expect(limited.status).toBe(429)
      expect(limited.headers.get('retry-after')).not.toBeNull()
    } finally {
      await gw.stop()
    }
  })
})
