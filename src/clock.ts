// Time is passed in, never read, so tests and the simulator can run hours in milliseconds.

export interface Clock {
  /** Unix milliseconds. */
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

/** Timer functions, injected wherever a feature waits, so a fake scheduler can run hours in milliseconds. */
export interface TimerFunctions {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** A clock with its timers: what the alert engine and tests' fake time implement. */
export interface Timers extends Clock, TimerFunctions {}

/**
 * Pick the time an event happened: the device's own stamp when it is within `maxSkewMs` of the
 * gateway's receive time, else the receive time (device clocks drift, reset to 1970, or lie).
 */
export function eventTime (deviceTs: number | undefined, receivedAt: number, maxSkewMs: number): { ts: number; source: 'device' | 'gateway' } {
  if (deviceTs !== undefined && Math.abs(deviceTs - receivedAt) <= maxSkewMs) {
    return { ts: deviceTs, source: 'device' }
  }
  return { ts: receivedAt, source: 'gateway' }
}
