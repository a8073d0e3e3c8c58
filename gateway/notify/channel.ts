// What every delivery channel implements, and the timers the outbox runs on (injectable for tests).
import type { Notification } from '../../src/alerts.ts'

export type ChannelName = Notification['channel']
export const CHANNEL_NAMES = ['webhook', 'wecom', 'dingtalk', 'mqtt', 'sse', 'sms'] as const satisfies readonly ChannelName[]

/** A notification as read back from the outbox: its row id is the message id receivers dedupe on. */
export interface Delivery extends Notification {
  /** The outbox row id, as a string: the webhook `id`, the SSE `id:`, the MQTT push `id`. */
  id: string
  createdAt: number
}

export interface Channel<A = unknown> {
  name: ChannelName
  /**
   * Send one message to one address. Resolves when the receiver accepted it; throws (an Error whose
   * message holds no secret: no URL, no token) when it should be retried.
   */
  send(delivery: Delivery, address: A, signal: AbortSignal): Promise<void>
}

/** The timer functions the outbox and the SSE heartbeat use (src/clock.ts); tests pass fake time. */
export type { TimerFunctions as Timers } from '../../src/clock.ts'
export { systemTimerFunctions as systemTimers } from '../timers.ts'

/** The text a human channel shows: the message, then the acknowledge link when there is one. */
export function humanText (d: Delivery): string {
  return d.ackUrl === undefined ? d.text : `${d.text}\n确认收到：${d.ackUrl}`
}

/** The JSON machine channels carry (webhook body, SSE data, MQTT push payload). */
export function machineBody (d: Delivery, sentAt: number): Record<string, unknown> {
  return { id: d.id, kind: d.kind, alertId: d.alertId, text: d.text, data: d.data, ackUrl: d.ackUrl ?? null, sentAt }
}
