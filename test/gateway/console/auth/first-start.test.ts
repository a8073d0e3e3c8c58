// First start: an `admin` with a one-time password printed once to the log (no default password), and
// a session that can do nothing but change it.
import { afterEach, describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { login, signIn } from '../../../helpers/console-session.ts'
import { firstStartPassword, startLoggedGateway, type LoggedGateway } from './logged-gateway.ts'

describe('console first start', () => {
  let gw: LoggedGateway | undefined
  afterEach(async () => { await gw?.stop(); gw = undefined })

  it('creates admin with a one-time password in a warn line, forces a change, and never prints it again', async () => {
    gw = await startLoggedGateway()
    const otp = firstStartPassword(gw.lines)
    expect(otp).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/)

    const admin = await signIn(gw, 'admin', otp as string)
    expect(admin.user).toMatchObject({ username: 'admin', role: 'admin', mustChangePassword: true })

    // Only the session itself and the password change are allowed until then.
    const blocked = await admin.get('/users')
    expect(blocked.status).toBe(403)
    expect(blocked.body.error).toBe('PASSWORD_CHANGE_REQUIRED')
    expect((await admin.get('/session')).status).toBe(200)

    const weak = await admin.post('/session/password', { current: otp, next: 'short' })
    expect(weak.status).toBe(400)
    expect(weak.body.error).toBe('WEAK_PASSWORD')
    expect((await admin.post('/session/password', { current: otp, next: 'admin-is-my-name' })).body.error).toBe('WEAK_PASSWORD')
    const wrongCurrent = await admin.post('/session/password', { current: 'not-the-password', next: '山下庄村 2026 秋收' })
    expect(wrongCurrent.status).toBe(401)

    const firstCookie = admin.cookie
    const changed = await admin.post('/session/password', { current: otp, next: '山下庄村 2026 秋收' })
    expect(changed.status).toBe(200)
    expect(changed.body.user.mustChangePassword).toBe(false)
    // A new session id after the change; the page's CSRF token still works; the old cookie is dead.
    expect(admin.cookie).not.toBe(firstCookie)
    expect(changed.body.csrfToken).toBe(admin.csrfToken)
    expect((await admin.get('/users')).status).toBe(200)
    expect((await admin.patch('/users/nobody', { displayName: 'x' })).status).toBe(404)
    expect((await fetch(`${gw.urls.http}/console/api/session`, { headers: { cookie: `anju_session=${firstCookie}` } })).status).toBe(401)

    // The one-time password is spent; the new one works.
    expect((await login(gw, 'admin', otp as string)).status).toBe(401)
    const again = await signIn(gw, 'admin', '山下庄村 2026 秋收')
    // More secrets that must stay out of the log: a new user's one-time password, a failed guess.
    const created = await again.post('/users', { username: 'wang-clerk', displayName: '王会计', role: 'admin' })
    expect(created.status).toBe(201)
    expect((await login(gw, 'wang-clerk', 'guessed-Password-77')).status).toBe(401)
    const reset = await again.post(`/users/${created.body.user.id as string}/reset-password`)

    // Restart on the same data: an admin exists, so no new password is printed.
    const dataDir = gw.dataDir
    const allLines = gw.lines.join('\n')
    await gw.stop({ keepDir: true })
    gw = await startLoggedGateway({ dataDir })
    expect(firstStartPassword(gw.lines)).toBeUndefined()

    // Nothing secret in any log line: not the new password, not session tokens or their hashes, not CSRF tokens.
    const logs = allLines + '\n' + gw.lines.join('\n')
    expect(logs.split(otp as string).length).toBe(2) // the one warn line, once
    for (const secret of ['山下庄村 2026 秋收', created.body.oneTimePassword, reset.body.oneTimePassword, 'guessed-Password-77', firstCookie, admin.cookie, again.cookie, admin.csrfToken, again.csrfToken,
      createHash('sha256').update(firstCookie).digest('hex'), createHash('sha256').update(admin.cookie).digest('hex'), createHash('sha256').update(again.cookie).digest('hex')]) {
      expect(logs).not.toContain(secret)
    }
  })
})
