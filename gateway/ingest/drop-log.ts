// Logging of dropped messages without letting a flood flood the log: the first drop of a device per
// reason is logged at warn, later ones are summed and reported at most once a minute per device.
import type { DropReason } from '../../src/events.ts'
import type { Logger } from '../logger.ts'

const WINDOW_MS = 60_000

export class DropLog {
  private readonly windows = new Map<string, { since: number, suppressed: number }>()

  constructor (private readonly log: Logger) {}

  note (deviceId: string | null, reason: DropReason, at: number): void {
    const key = (deviceId ?? '-') + ':' + reason
    const window = this.windows.get(key)
    if (window === undefined || at - window.since >= WINDOW_MS) {
      // Payloads are never logged: they come from outside and may carry anything.
      this.log.warn({ deviceId, reason, suppressedSinceLast: window?.suppressed ?? 0 }, 'device message dropped')
      this.windows.set(key, { since: at, suppressed: 0 })
      if (this.windows.size > 50_000) this.windows.clear()
    } else {
      window.suppressed++
    }
  }
}
