// Counters of what the simulator did, and the progress line printed every few seconds.
import { formatSimTime } from './sim-time.ts'

export type SentKind = 'motion' | 'status' | 'hub_state' | 'hub_sensor' | 'flood'

export class SimStats {
  readonly sent: Record<SentKind, number> = { motion: 0, status: 0, hub_state: 0, hub_sensor: 0, flood: 0 }
  /** MQTT clients (sensors and hubs) with an open connection right now. */
  connected = 0
  clients = 0
  connects = 0
  /** Connections lost other than by our own close (broker kick, flood limit, network). */
  lost = 0
  /** CONNACKs refusing us (wrong secret, revoked, flood cool-down). */
  refused = 0

  total (): number {
    return Object.values(this.sent).reduce((a, b) => a + b, 0)
  }
}

/** Renders one progress line; remembers the previous total to print a rate. */
export class ProgressReporter {
  private lastTotal = 0
  private lastAt: number
  private readonly firstAt: number

  constructor (private readonly stats: SimStats, private readonly realNow: () => number = Date.now) {
    this.lastAt = this.firstAt = realNow()
  }

  /** The closing line: totals and the average rate of the whole run. */
  summary (simNow: number): string {
    const seconds = Math.max(0.001, (this.realNow() - this.firstAt) / 1000)
    const s = this.stats
    return `[sim ${formatSimTime(simNow)}] · sent ${s.total()} in ${seconds.toFixed(0)} s (${(s.total() / seconds).toFixed(1)} msg/s average)` +
      ` · motion ${s.sent.motion} status ${s.sent.status} hub ${s.sent.hub_sensor + s.sent.hub_state}` +
      (s.sent.flood > 0 ? ` · flood ${s.sent.flood}` : '') + ` · connects ${s.connects} lost ${s.lost} refused ${s.refused}`
  }

  line (simNow: number): string {
    const now = this.realNow()
    const total = this.stats.total()
    const rate = (total - this.lastTotal) / Math.max(0.001, (now - this.lastAt) / 1000)
    this.lastTotal = total
    this.lastAt = now
    const s = this.stats
    const parts = [
      `[sim ${formatSimTime(simNow)}]`,
      `connected ${s.connected}/${s.clients}`,
      `sent ${total} (${rate.toFixed(1)} msg/s)`,
      `motion ${s.sent.motion} status ${s.sent.status} hub ${s.sent.hub_sensor + s.sent.hub_state}`
    ]
    if (s.sent.flood > 0) parts.push(`flood ${s.sent.flood}`)
    if (s.lost + s.refused > 0) parts.push(`lost ${s.lost} refused ${s.refused}`)
    return parts.join(' · ')
  }
}
