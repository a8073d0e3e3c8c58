// The generic webhook: POST JSON {id, kind, alertId, text, data, ackUrl, sentAt}, signed so the receiver
// can tell it came from this gateway and is fresh. Signature (docs/notifications.md):
//   x-anju-timestamp: <unix ms>
//   x-anju-signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
// The timestamp is inside the signed string, so a captured request cannot be replayed later with a new
// timestamp; receivers refuse timestamps more than 5 minutes from their clock (same scheme as Stripe's).
import { createHmac } from 'node:crypto'
import type { Clock } from '../../../src/clock.ts'
import { machineBody, type Channel, type Delivery } from '../channel.ts'
import type { UrlAddress } from '../contact-channels.ts'
import { postJson } from './http-post.ts'

export function webhookSignature (secret: string, timestamp: string, rawBody: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')
}

export function webhookChannel (deps: { secret: string, clock: Clock, timeoutMs: number }): Channel<UrlAddress> {
  return {
    name: 'webhook',
    async send (d: Delivery, address: UrlAddress, signal: AbortSignal) {
      const sentAt = deps.clock.now()
      const raw = JSON.stringify(machineBody(d, sentAt))
      const timestamp = String(sentAt)
      await postJson(address.url, null, {
        rawBody: raw,
        timeoutMs: deps.timeoutMs,
        signal,
        headers: {
          'x-anju-timestamp': timestamp,
          'x-anju-signature': webhookSignature(deps.secret, timestamp, raw),
          'x-anju-message-id': d.id
        }
      })
    }
  }
}
