// Failed sign-ins per username and per client IP in a fixed window, kept in memory: a restart forgets
// them, which costs an attacker a restart they cannot cause, and needs no table. One gateway process
// serves a district; several processes would each count on their own (a documented limit).
// OWASP Authentication Cheat Sheet, "Protect Against Automated Attacks": per-account and per-source
// throttling, and the same answer whether or not the account exists.
import type { Clock } from '../../../src/clock.ts'

export interface LimiterPolicy { windowMs: number, maxPerUser: number, maxPerIp: number }

interface Counter { count: number, since: number }

/** Beyond this many tracked keys, expired counters are swept so a spray of usernames cannot grow memory. */
const SWEEP_AT = 10_000

export class LoginLimiter {
  private readonly users = new Map<string, Counter>()
  private readonly ips = new Map<string, Counter>()

  constructor (private readonly clock: Clock, private readonly policy: LimiterPolicy) {}

  /**
   * Count a sign-in attempt *before* the slow password check, so a burst of parallel guesses cannot all
   * pass the check before the first failure is counted. Returns 0 when the attempt may go ahead, else
   * the seconds to wait (and the attempt is not counted).
   */
  attempt (username: string, ip: string): number {
    const now = this.clock.now()
    const user = username.toLowerCase()
    const wait = Math.max(this.wait(this.users.get(user), this.policy.maxPerUser, now), this.wait(this.ips.get(ip), this.policy.maxPerIp, now))
    if (wait > 0) return wait
    this.bump(this.users, user, now)
    this.bump(this.ips, ip, now)
    return 0
  }

  /**
   * The attempt was right: the username's counter is cleared and this attempt no longer counts against
   * the address (the address keeps its earlier failures: one office may share an IP, one attacker too).
   */
  succeed (username: string, ip: string): void {
    this.users.delete(username.toLowerCase())
    const c = this.ips.get(ip)
    if (c !== undefined && c.count > 0) c.count--
  }

  private wait (c: Counter | undefined, max: number, now: number): number {
    if (c === undefined || c.count < max || now - c.since >= this.policy.windowMs) return 0
    return Math.max(1, Math.ceil((c.since + this.policy.windowMs - now) / 1000))
  }

  private bump (map: Map<string, Counter>, key: string, now: number): void {
    if (map.size >= SWEEP_AT) for (const [k, c] of map) if (now - c.since >= this.policy.windowMs) map.delete(k)
    const c = map.get(key)
    if (c === undefined || now - c.since >= this.policy.windowMs) map.set(key, { count: 1, since: now })
    else c.count++
  }
}
