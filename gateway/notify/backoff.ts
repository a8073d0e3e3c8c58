// Retry delays for failed deliveries: exponential backoff with "equal jitter" (Brooker, "Exponential
// Backoff And Jitter", AWS Architecture Blog, 2015): half the delay is fixed so a retry never comes
// instantly, half is random so many rows failing together (a receiver's outage) do not retry in lockstep.

export interface RetryPolicy {
  retryBaseMs: number
  retryMaxDelayMs: number
  maxAttempts: number
  /** A message older than this is dead however few attempts it had: an alert from yesterday misleads. */
  maxAgeMs: number
}

/** Delay before the next attempt after `attempts` failures (attempts ≥ 1); `random` in [0, 1). */
export function retryDelay (policy: RetryPolicy, attempts: number, random: number): number {
  const exp = Math.min(policy.retryMaxDelayMs, policy.retryBaseMs * 2 ** Math.min(attempts - 1, 40))
  return Math.round(exp / 2 + random * (exp / 2))
}

/** Whether a message that just failed its `attempts`-th time, created at `createdAt`, is dead at `now`. */
export function isExhausted (policy: RetryPolicy, attempts: number, createdAt: number, now: number): boolean {
  return attempts >= policy.maxAttempts || now - createdAt >= policy.maxAgeMs
}
