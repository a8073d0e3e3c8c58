// Payload schemas of device protocol v1: one zod schema per topic, used by ingest to validate and by the
// simulator and docs as the contract. Unknown extra keys are allowed (vendors add fields) but ignored.
import { z } from 'zod'

/** Unix milliseconds; anything outside 2000..2100 is a broken device clock, not a time. */
const unixMs = z.number().int().min(946_684_800_000).max(4_102_444_800_000)

export const motionPayload = z.object({
  motion: z.boolean(),
  ts: unixMs.optional()
})
export type MotionPayload = z.infer<typeof motionPayload>

export const statusPayload = z.object({
  battery: z.number().min(0).max(100).optional(),
  // dBm: real radios report roughly -120..0; accept a little margin, refuse nonsense.
  rssi: z.number().min(-150).max(20).optional(),
  fw: z.string().min(1).max(64).optional(),
  online: z.boolean().optional(),
  ts: unixMs.optional()
})
export type StatusPayload = z.infer<typeof statusPayload>

/**
 * What Zigbee2MQTT publishes for an occupancy sensor such as the Aqara RTCGQ11LM:
 * `{"battery":91,"illuminance":23,"linkquality":87,"occupancy":true,"voltage":3005,...}`.
 * Every field is optional because Zigbee2MQTT sends partial states (e.g. only `linkquality`).
 */
export const z2mSensorPayload = z.object({
  occupancy: z.boolean().optional(),
  presence: z.boolean().optional(),
  battery: z.number().min(0).max(100).nullable().optional(),
  linkquality: z.number().min(0).max(255).nullable().optional(),
  last_seen: z.union([z.number(), z.string()]).optional()
})
export type Z2mSensorPayload = z.infer<typeof z2mSensorPayload>

/** Zigbee2MQTT bridge and availability states: legacy plain `online`, or `{"state":"online"}` (z2m >= 1.27). */
export const z2mStatePayload = z.union([
  z.literal('online'),
  z.literal('offline'),
  z.object({ state: z.enum(['online', 'offline']) })
])

export function parseZ2mState (text: string): 'online' | 'offline' | null {
  const trimmed = text.trim()
  let value: unknown = trimmed
  if (trimmed.startsWith('{')) {
    try { value = JSON.parse(trimmed) } catch { return null }
  }
  const parsed = z2mStatePayload.safeParse(value)
  if (!parsed.success) return null
  return typeof parsed.data === 'string' ? parsed.data : parsed.data.state
}

/** Downlink, retained on `anju/v1/dev/<id>/config`. */
export const deviceConfigPayload = z.object({
  heartbeatSeconds: z.number().int().min(30).max(86_400).default(300)
})
export type DeviceConfigPayload = z.infer<typeof deviceConfigPayload>
