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

  /** Seconds until a sign-in may be tried again, or 0 when allowed. */
  retryAfter (username: string, ip: string): number {
    const now = this.clock.now()
    const waits = [
      this.wait(this.users.get(username.toLowerCase()), this.policy.maxPerUser, now),
      this.wait(this.ips.get(ip), this.policy.maxPerIp, now)
    ]
    return Math.max(...waits)
  }

  fail (username: string, ip: string): void {
    const now = this.clock.now()
    this.bump(this.users, username.toLowerCase(), now)
    this.bump(this.ips, ip, now)
  }

  /** A successful sign-in clears the username's counter (not the IP's: one office may share an IP). */
  succeed (username: string): void {
    this.users.delete(username.toLowerCase())
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
