// Notification metrics in the gateway's prom-client registry. Labels are channel names only (bounded).
import { Counter, Gauge, type Registry } from 'prom-client'
import { CHANNEL_NAMES, type ChannelName } from './channel.ts'

export function createNotifyMetrics (registry: Registry, sources: {
  pending: () => Array<{ channel: ChannelName, n: number }>
  sseClients: () => number
}) {
  const registers = [registry]
  const metrics = {
    enqueued: new Counter({ name: 'anju_notify_enqueued_total', help: 'Notifications written to the outbox', labelNames: ['channel'], registers }),
    sent: new Counter({ name: 'anju_notify_sent_total', help: 'Notifications delivered', labelNames: ['channel'], registers }),
    failures: new Counter({ name: 'anju_notify_failed_attempts_total', help: 'Delivery attempts that failed (and will be retried unless dead)', labelNames: ['channel'], registers }),
    dead: new Counter({ name: 'anju_notify_dead_total', help: 'Notifications given up after their last attempt', labelNames: ['channel'], registers }),
    pending: new Gauge({
      name: 'anju_notify_pending',
      help: 'Notifications waiting in the outbox (due, retrying or in flight)',
      labelNames: ['channel'],
      registers,
      collect () {
        const counts = new Map(sources.pending().map((r) => [r.channel, r.n]))
        for (const channel of CHANNEL_NAMES) this.set({ channel }, counts.get(channel) ?? 0)
      }
    }),
    sseClients: new Gauge({
      name: 'anju_sse_clients',
      help: 'Connected server-sent-event clients (TV screens, consoles)',
      registers,
      collect () { this.set(sources.sseClients()) }
    })
  }
  for (const channel of CHANNEL_NAMES) {
    for (const c of [metrics.enqueued, metrics.sent, metrics.failures, metrics.dead]) c.inc({ channel }, 0)
  }
  return metrics
}

export type NotifyMetrics = ReturnType<typeof createNotifyMetrics>
