// A real gateway for alert tests: fake time for the alert engine (and the gateway's clock) and a
// recording notification sink, so tests see exactly what each rung was sent — or, with `realOutbox`,
// the real outbox and channels running on the same fake timers.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ConfigInput } from '../../../gateway/config/config-schema.ts'
import type { MqttClient } from 'mqtt'
import type { Notification } from '../../../src/alerts.ts'
import { startGateway, type TestGateway } from '../../helpers/start-gateway.ts'
import type { FakeTime } from '../../helpers/fake-time.ts'

export type AlertGateway = TestGateway & { sent: Notification[] }

export interface AlertGatewayOptions {
  /** The notify config section (e.g. the webhook secret). */
  notify?: ConfigInput['notify']
  /** Deliver through the real outbox (on the same fake timers) instead of recording into `sent`. */
  realOutbox?: boolean
}

export async function startAlertGateway (time: FakeTime, dataDir = mkdtempSync(join(tmpdir(), 'anju-alerts-')), options: AlertGatewayOptions = {}): Promise<AlertGateway> {
  const sent: Notification[] = []
  const notificationSink = options.realOutbox === true ? undefined : { enqueue: (n: Notification) => sent.push(n) }
  const gateway = await startGateway({ dataDir, notify: options.notify }, { timers: time, notificationSink })
  return Object.assign(gateway, { sent })
}

/** Who was sent what, as `recipient:kind[:type]` strings in order. */
export function summary (sent: Notification[]): string[] {
  return sent.map((n) => `${n.recipient}:${n.kind}:${String(n.data.type)}`)
}

/**
 * Rising edges of one sensor (`motion` false then true), all at the fake clock's instant. One edge is a
 * lone event, which the alert engine does not count as activity (gateway/alerts/lone-events.ts); a person
 * moving about gives two or more, and the second counts.
 */
export async function risingEdges (sensor: MqttClient, deviceId: string, count = 2): Promise<void> {
  for (let i = 0; i < count; i++) {
    await sensor.publishAsync(`anju/v1/dev/${deviceId}/motion`, JSON.stringify({ motion: false }), { qos: 1 })
    await sensor.publishAsync(`anju/v1/dev/${deviceId}/motion`, JSON.stringify({ motion: true }), { qos: 1 })
  }
}
