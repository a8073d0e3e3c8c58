// Signed, expiring acknowledge links for the people on the ladder. A link names one alert and one contact
// and is its own credential: token = base64url(JSON {a, c, e}) + '.' + base64url(HMAC-SHA256(key, payload)),
// `e` in unix seconds. The key is 32 random bytes from config, or generated once and kept in
// <dataDir>/ack-link-key with owner-only permissions (like admin-token.ts); it is never logged.
// Rotating the key (deleting the file) invalidates every link already sent.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Clock } from '../../src/clock.ts'

export const ACK_LINK_KEY_BYTES = 32

export function ackLinkKeyPath (dataDir: string): string {
  return join(dataDir, 'ack-link-key')
}

export function resolveAckLinkKey (configured: string | undefined, dataDir: string): { key: Buffer, source: 'config' | 'file' | 'generated' } {
  if (configured !== undefined) return { key: Buffer.from(configured, 'utf8'), source: 'config' }
  const path = ackLinkKeyPath(dataDir)
  if (existsSync(path)) return { key: Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url'), source: 'file' }
  mkdirSync(dataDir, { recursive: true })
  const key = randomBytes(ACK_LINK_KEY_BYTES)
  writeFileSync(path, key.toString('base64url') + '\n', { mode: 0o600 })
  return { key, source: 'generated' }
}

export interface AckClaim {
  alertId: string
  contactId: string
  /** Expiry, unix seconds. */
  expiresAt: number
}

export type AckVerdict = { ok: true, claim: AckClaim } | { ok: false, reason: 'invalid' | 'expired' }

// A token is ~150 characters; anything much longer is not ours and is refused before any work.
const MAX_TOKEN_LENGTH = 512

export class AckLinks {
  private base: string | null
  private publicConfigured: boolean

  constructor (private readonly key: Buffer, private readonly ttlMs: number, private readonly clock: Clock, publicUrl?: string) {
    this.base = publicUrl === undefined ? null : publicUrl.replace(/\/+$/, '')
    this.publicConfigured = publicUrl !== undefined
  }

  /** True when links point at ANJU_PUBLIC_URL rather than the gateway's own listening address. */
  get isPublic (): boolean {
    return this.publicConfigured
  }

  /** The base URL once known: the public URL from config, else the gateway's own address after listen. */
  setBase (url: string, isPublic: boolean): void {
    this.base = url.replace(/\/+$/, '')
    this.publicConfigured = isPublic
  }

  private sign (payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url')
  }

  token (alertId: string, contactId: string): string {
    const e = Math.floor((this.clock.now() + this.ttlMs) / 1000)
    const payload = Buffer.from(JSON.stringify({ a: alertId, c: contactId, e })).toString('base64url')
    return `${payload}.${this.sign(payload)}`
  }

  /** The link for one contact, or undefined before the base URL is known. */
  url (alertId: string, contactId: string): string | undefined {
    return this.base === null ? undefined : `${this.base}/a/${this.token(alertId, contactId)}`
  }

  verify (token: string): AckVerdict {
    if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'invalid' }
    const [payload, mac, extra] = token.split('.')
    if (payload === undefined || mac === undefined || extra !== undefined) return { ok: false, reason: 'invalid' }
    const expected = Buffer.from(this.sign(payload))
    const given = Buffer.from(mac)
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' }
    let parsed: unknown
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
    } catch {
      return { ok: false, reason: 'invalid' }
    }
    const p = parsed as { a?: unknown, c?: unknown, e?: unknown }
    if (typeof p.a !== 'string' || typeof p.c !== 'string' || typeof p.e !== 'number') return { ok: false, reason: 'invalid' }
    if (p.e * 1000 <= this.clock.now()) return { ok: false, reason: 'expired' }
    return { ok: true, claim: { alertId: p.a, contactId: p.c, expiresAt: p.e } }
  }
}
