// The real timers behind src/clock.ts's interfaces. Unref'd: a pending retry or deadline must not keep
// a CLI or test process alive; the gateway itself lives on its sockets.
import type { Clock, TimerFunctions, Timers } from '../src/clock.ts'

export const systemTimerFunctions: TimerFunctions = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms)
    t.unref()
    return t
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout)
}

export function systemTimers (clock: Clock): Timers {
  return { now: () => clock.now(), ...systemTimerFunctions }
}
