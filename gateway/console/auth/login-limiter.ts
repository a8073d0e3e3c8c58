// Failed sign-ins per username and per client IP in a fixed window, kept in memory: a restart forgets
// them, which costs an attacker a restart they cannot cause, and needs no table. One gateway process
// serves a district; several processes would each count on their own (a documented limit).
// OWASP Authentication Cheat Sheet, "Protect Against Automated Attacks": per-account and per-source
// throttling, and the same answer whether or not the account exists.
import type { Clock } from '../../../src/clock.ts'
import { WindowCounter } from '../../../src/window-counter.ts'

export interface LimiterPolicy { windowMs: number, maxPerUser: number, maxPerIp: number }

export class LoginLimiter {
  private readonly users: WindowCounter
  private readonly ips: WindowCounter

  constructor (private readonly clock: Clock, private readonly policy: LimiterPolicy) {
    this.users = new WindowCounter(policy.windowMs)
    this.ips = new WindowCounter(policy.windowMs)
  }

  /**
   * Count a sign-in attempt *before* the slow password check, so a burst of parallel guesses cannot all
   * pass the check before the first failure is counted. Returns 0 when the attempt may go ahead, else
   * the seconds to wait (and the attempt is not counted).
   */
  attempt (username: string, ip: string): number {
    const now = this.clock.now()
    const user = username.toLowerCase()
    const waitMs = Math.max(this.users.waitMs(user, this.policy.maxPerUser, now), this.ips.waitMs(ip, this.policy.maxPerIp, now))
    if (waitMs > 0) return Math.max(1, Math.ceil(waitMs / 1000))
    this.users.add(user, now)
    this.ips.add(ip, now)
    return 0
  }

  /**
   * The attempt was right: the username's counter is cleared and this attempt no longer counts against
   * the address (the address keeps its earlier failures: one office may share an IP, one attacker too).
   */
  succeed (username: string, ip: string): void {
    this.users.clear(username.toLowerCase())
    this.ips.undo(ip)
  }
}
