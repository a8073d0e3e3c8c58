// Screen pairing codes, in memory: a screen asks for a code and shows it; a clerk types it into the
// console, which binds the screen to a household or a village; the screen, polling with the pairing
// secret only it knows, then receives its token once. A gateway restart mid-pairing loses the codes: the
// screen sees `expired` and shows a new code, which costs nobody anything.
//
// A code is six digits (typable with a TV remote), so it is guessable: a code lives 10 minutes, is unique
// among live codes, and wrong codes are limited GLOBALLY (WRONG_CODES_PER_WINDOW per minute) rather than
// per admin — the admin API has one token and `by` is self-declared, so a per-admin count could be dodged
// by changing `by`. With n live codes an attacker holding the admin token has a 10·n/10⁶ chance a minute.
import { createHash, randomBytes, randomInt } from 'node:crypto'
import type { Clock } from '../../src/clock.ts'
import { AnjuError } from '../../src/errors.ts'

export const CODE_TTL_MS = 10 * 60_000
const WINDOW_MS = 60_000
/** Wrong codes accepted per minute, over all admins; then every claim is refused until the minute ends. */
export const WRONG_CODES_PER_WINDOW = 10
/** pair/start calls per IP per minute: a screen asks once per 10 minutes; a booting fleet behind one NAT gets 30. */
export const STARTS_PER_IP_PER_WINDOW = 30
/** Bound on live codes (memory, and the guessing odds above). */
const MAX_LIVE = 5_000

export type PairTarget = { screenId: string, token: string }

interface Pending {
  code: string
  expiresAt: number
  /** Set when an admin has paired the screen; `token` is dropped once the screen has fetched it. */
  paired: { screenId: string, token: string | null } | null
}

const keyOf = (pairingId: string): string => createHash('sha256').update(pairingId).digest('hex')

export class Pairings {
  /** By SHA-256 of the pairing secret, so a lookup's timing says nothing about the secret. */
  private readonly byKey = new Map<string, Pending>()
  private readonly byCode = new Map<string, string>()
  private starts = new Map<string, number>()
  private startsWindow = 0
  private wrong = 0
  private wrongWindow = 0
  private sweptAt = 0

  constructor (private readonly clock: Clock) {}

  start (ip: string): { code: string, pairingId: string, expiresAt: number } {
    const now = this.clock.now()
    this.sweep(now)
    if (now - this.startsWindow >= WINDOW_MS) { this.starts = new Map(); this.startsWindow = now }
    const n = (this.starts.get(ip) ?? 0) + 1
    this.starts.set(ip, n)
    if (n > STARTS_PER_IP_PER_WINDOW || this.byCode.size >= MAX_LIVE) throw new AnjuError('RATE_LIMITED', 'too many pairing requests; try again in a minute')
    let code: string
    do code = String(randomInt(0, 1_000_000)).padStart(6, '0')
    while (this.byCode.has(code))
    // 192 bits: the screen's only proof that it is the one that showed the code.
    const pairingId = randomBytes(24).toString('base64url')
    const key = keyOf(pairingId)
    const expiresAt = now + CODE_TTL_MS
    this.byKey.set(key, { code, expiresAt, paired: null })
    this.byCode.set(code, key)
    return { code, pairingId, expiresAt }
  }

  /** What the screen sees; the token is returned once. An unknown id (a restart, a typo) is `expired`. */
  status (pairingId: string): { state: 'waiting' | 'paired' | 'expired', token?: string } {
    const now = this.clock.now()
    this.sweep(now)
    const p = this.byKey.get(keyOf(pairingId))
    if (p === undefined || p.expiresAt <= now) return { state: 'expired' }
    if (p.paired === null) return { state: 'waiting' }
    const token = p.paired.token
    p.paired.token = null
    return token === null ? { state: 'paired' } : { state: 'paired', token }
  }

  /**
   * An admin's claim of a code: `bind` creates the screen and its token (in the caller's transaction) and
   * runs only for a live, unpaired code. Wrong and expired codes count toward the global lockout.
   */
  claim<T extends PairTarget> (code: string, bind: () => T): T {
    const now = this.clock.now()
    this.sweep(now)
    if (now - this.wrongWindow >= WINDOW_MS) { this.wrong = 0; this.wrongWindow = now }
    if (this.wrong >= WRONG_CODES_PER_WINDOW) throw new AnjuError('RATE_LIMITED', 'too many wrong pairing codes; pairing is locked for a minute')
    const key = this.byCode.get(code)
    const p = key === undefined ? undefined : this.byKey.get(key)
    if (p === undefined || p.paired !== null || p.expiresAt <= now) {
      this.wrong++
      throw new AnjuError('PAIRING_CODE_NOT_FOUND', `no screen is showing code ${code} (wrong or expired): read the code on the screen again`)
    }
    const bound = bind()
    p.paired = { screenId: bound.screenId, token: bound.token }
    // The screen gets a full TTL to fetch its token; the code itself is spent.
    p.expiresAt = now + CODE_TTL_MS
    this.byCode.delete(code)
    return bound
  }

  get live (): number {
    return this.byCode.size
  }

  /** Drop expired entries, at most once a second (screens poll status every few seconds). */
  private sweep (now: number): void {
    if (now - this.sweptAt < 1000 && now >= this.sweptAt) return
    this.sweptAt = now
    for (const [key, p] of this.byKey) {
      if (p.expiresAt > now) continue
      this.byKey.delete(key)
      if (this.byCode.get(p.code) === key) this.byCode.delete(p.code)
    }
  }
}
