// Password hashing and policy (gateway/console/auth/passwords.ts), and the upgrade of an old hash.
import { scryptSync } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword, needsRehash, passwordProblem, SCRYPT, verifyPassword } from '../../../../gateway/console/auth/passwords.ts'
import { createUser, login } from '../../../helpers/console-session.ts'
import { startGateway, type TestGateway } from '../../../helpers/start-gateway.ts'

describe('console passwords', () => {
  it('stores a self-describing scrypt string with a fresh salt and verifies it', async () => {
    const [h1, h2] = await Promise.all([hashPassword('晚饭后去散步 7 点'), hashPassword('晚饭后去散步 7 点')])
    expect(h1).toMatch(new RegExp(`^scrypt\\$${SCRYPT.N}\\$8\\$1\\$[\\w-]{22}\\$[\\w-]{43}$`))
    expect(h1).not.toBe(h2) // per-user salt
    expect(await verifyPassword('晚饭后去散步 7 点', h1)).toBe(true)
    expect(await verifyPassword('晚饭后去散步 7 點', h1)).toBe(false)
    expect(await verifyPassword('x', 'plain-text')).toBe(false)
    expect(await verifyPassword('x', 'scrypt$99999999999$8$1$AAAA$AAAA')).toBe(false)
  })

  it('refuses short passwords, the username, and repetition', () => {
    expect(passwordProblem('short-pw', 'wang')).toMatch(/10 characters/)
    expect(passwordProblem('wang-clerk', 'wang-clerk')).toMatch(/username/)
    expect(passwordProblem('my-name-is-WANG-x', 'wang')).toMatch(/username/)
    expect(passwordProblem('aaaaaaaaaaaa', 'wang')).toMatch(/repetitive/)
    expect(passwordProblem('山下庄村 2026 秋收', 'wang')).toBeNull()
  })
})

describe('console password upgrade', () => {
  let gw: TestGateway
  beforeAll(async () => { gw = await startGateway() })
  afterAll(async () => { await gw.stop() })

  it('re-hashes a lower-cost hash at the next sign-in', async () => {
    const creds = await createUser(gw, { role: 'admin' })
    const salt = Buffer.from('0123456789abcdef')
    const old = `scrypt$1024$8$1$${salt.toString('base64url')}$${scryptSync(creds.password, salt, 32, { N: 1024, r: 8, p: 1 }).toString('base64url')}`
    gw.db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(old, creds.id)
    expect(needsRehash(old)).toBe(true)
    expect((await login(gw, creds.username, creds.password)).status).toBe(200)
    const stored = (gw.db.prepare('SELECT password_hash AS h FROM users WHERE id = ?').get(creds.id) as { h: string }).h
    expect(needsRehash(stored)).toBe(false)
    expect((await login(gw, creds.username, creds.password)).status).toBe(200)
  })
})
