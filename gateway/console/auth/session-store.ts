// Console sessions. The cookie carries a 256-bit random token; the database keeps only its SHA-256 as
// the row id, so a copy of the database (a backup, a stolen disk) holds no usable session. The CSRF token
// is kept in clear: it is useless without the cookie and the console reads it back after a reload.
// Expiry is sliding (idle timeout) with an absolute cap after sign-in (OWASP Session Management Cheat
// Sheet, "Session Expiration").
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { Clock } from '../../../src/clock.ts'
import type { Db } from '../../db/open-database.ts'
import { hashSecret } from '../../registry/secrets.ts'

export const SESSION_COOKIE = 'anju_session'
export const CSRF_HEADER = 'x-csrf-token'

export interface SessionRow {
  id: string
  userId: string
  csrfToken: string
  createdAt: number
  lastSeenAt: number
  expiresAt: number
}

export interface SessionPolicy { idleMs: number, maxMs: number }

/** Writes of last_seen_at are spared when the previous one is this recent (one write a minute per session). */
const TOUCH_EVERY_MS = 60_000

export class SessionStore {
  constructor (private readonly db: Db, private readonly clock: Clock, private readonly policy: SessionPolicy) {}

  /** A new session; `csrfToken` carries an open page's token over when a session is renewed. */
  create (userId: string, meta: { ip?: string, userAgent?: string, csrfToken?: string }): { token: string, session: SessionRow } {
    const token = randomBytes(32).toString('base64url')
    const now = this.clock.now()
    const session: SessionRow = {
      id: hashSecret(token), userId, csrfToken: meta.csrfToken ?? randomBytes(32).toString('base64url'), createdAt: now, lastSeenAt: now,
      expiresAt: Math.min(now + this.policy.idleMs, now + this.policy.maxMs)
    }
    // Expired rows are cleaned up here, where sessions are made, so the table cannot grow without bound.
    this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now)
    this.db.prepare(`INSERT INTO sessions (id, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(session.id, userId, session.csrfToken, now, now, session.expiresAt,
      meta.ip ?? null, meta.userAgent?.slice(0, 200) ?? null)
    return { token, session }
  }

  /** The live session of a cookie token, its idle expiry pushed forward; expired ones are deleted. */
  touch (token: string): SessionRow | undefined {
    if (token.length < 32 || token.length > 64) return undefined
    const id = hashSecret(token)
    const row = this.db.prepare('SELECT id, user_id, csrf_token, created_at, last_seen_at, expires_at FROM sessions WHERE id = ?').get(id) as
      { id: string, user_id: string, csrf_token: string, created_at: number, last_seen_at: number, expires_at: number } | undefined
    if (row === undefined) return undefined
    const now = this.clock.now()
    if (now >= row.expires_at) {
      this.db.prepare('DELETE FROM sessions WHERE id = ?').run(id)
      return undefined
    }
    const session: SessionRow = { id, userId: row.user_id, csrfToken: row.csrf_token, createdAt: row.created_at, lastSeenAt: row.last_seen_at, expiresAt: row.expires_at }
    if (now - row.last_seen_at >= TOUCH_EVERY_MS) {
      session.lastSeenAt = now
      session.expiresAt = Math.min(now + this.policy.idleMs, row.created_at + this.policy.maxMs)
      this.db.prepare('UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?').run(now, session.expiresAt, id)
    }
    return session
  }

  deleteByToken (token: string): void {
    this.delete(hashSecret(token))
  }

  delete (id: string): void {
    this.db.prepare('DELETE FROM sessions WHERE id = ?').run(id)
  }

  /** End every session of a user (disabled, password reset), or all but one (password changed). */
  deleteForUser (userId: string, exceptId?: string): number {
    return this.db.prepare('DELETE FROM sessions WHERE user_id = ? AND id != ?').run(userId, exceptId ?? '').changes
  }
}

/** Constant-time comparison of a presented CSRF header with the session's token. */
export function csrfMatches (presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false
  const a = Buffer.from(presented)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}
