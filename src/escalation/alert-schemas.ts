// zod schemas of alerts, their events and per-home alert settings: the HTTP API validates and serialises
// through them, and the TypeScript types come from src/alerts.ts (checked to agree below).
import { z } from 'zod'
import type { Alert, AlertEvent } from '../alerts.ts'
import { entityId } from '../registry-schemas.ts'

export const alertType = z.enum(['inactivity', 'not_up', 'home_offline', 'low_battery', 'sensor_silent'])
export const alertState = z.enum(['open', 'acknowledged', 'resolved'])
export const outcome = z.enum(['resident_ok', 'false_alarm', 'helped_at_home', 'hospital', 'deceased', 'device_fixed', 'other'])
const rung = z.union([z.literal(-1), z.literal(0), z.literal(1), z.literal(2), z.literal(3)])

export const alert = z.object({
  id: z.string(),
  homeId: z.string(),
  type: alertType,
  state: alertState,
  rung,
  since: z.number(),
  openedAt: z.number(),
  nextRungAt: z.number().nullable(),
  acknowledgedAt: z.number().nullable(),
  acknowledgedBy: z.string().nullable(),
  resolvedAt: z.number().nullable(),
  resolvedBy: z.string().nullable(),
  outcome: outcome.nullable(),
  note: z.string().nullable()
})

export const alertEvent = z.object({
  alertId: z.string(),
  at: z.number(),
  actor: z.string(),
  action: z.enum(['opened', 'updated', 'escalated', 'acknowledged', 'resolved', 'auto_resolved']),
  rung: z.number().nullable(),
  detail: z.string().nullable()
})

export const alertWithEvents = alert.extend({ events: z.array(alertEvent) })

/** Who acted: a contact or user id, or `tv:<homeId>` for the resident's own screen. */
export const actor = z.string().trim().min(1).max(60).regex(/^[A-Za-z0-9_:.@-]+$/, 'an id: letters, digits, _ : . @ -')
const note = z.string().trim().max(500)

export const ackInput = z.object({ by: actor })
export const resolveInput = z.object({ by: actor, outcome, note: note.nullable().default(null) })
export const alertQuery = z.object({ state: alertState.optional(), homeId: entityId.optional(), type: alertType.optional() })

const hhmm = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'HH:MM (village time)')
export const quietHours = z.object({ start: hhmm, end: hhmm })
const minutes = (n: number): number => n * 60_000
export const ladderConfig = z.object({
  tvTimeoutMs: z.number().int().min(minutes(1)).max(minutes(120)),
  familyTimeoutMs: z.number().int().min(minutes(1)).max(minutes(240)),
  gridTimeoutMs: z.number().int().min(minutes(1)).max(minutes(480)),
  /**
   * Two thresholds for this home (rules.ts CHECK_IN_FRACTION): the TV check-in at this fraction of the
   * inactivity threshold, family still at the full one. Absent: the engine's default (one threshold).
   */
  checkInFraction: z.number().min(0.1).max(1).optional()
})

export const awayInput = z.object({
  /** Away until this time (unix ms); null: back home now. */
  until: z.number().int().nullable(),
  by: actor
})

export const alertSettingsInput = z.object({
  /** A fixed inactivity threshold for this home, replacing the model's; null: use the model. */
  inactivityThresholdMs: z.number().int().min(minutes(30)).max(minutes(24 * 60)).nullable(),
  /** Maintenance alerts (offline, battery, silent sensor) wait for the end of this window. */
  quietHours: quietHours.nullable(),
  ladder: ladderConfig.nullable().default(null),
  by: actor
})

export const alertSettings = z.object({
  homeId: z.string(),
  awayUntil: z.number().nullable(),
  inactivityThresholdMs: z.number().nullable(),
  quietHours: quietHours.nullable(),
  ladder: ladderConfig.nullable(),
  updatedAt: z.number().nullable(),
  updatedBy: z.string().nullable()
})

export const settingsAuditEntry = z.object({ at: z.number(), actor: z.string(), change: z.record(z.string(), z.unknown()) })
export const alertSettingsWithAudit = alertSettings.extend({ audit: z.array(settingsAuditEntry) })

export type AlertSettings = z.infer<typeof alertSettings>
export type AlertSettingsInput = z.infer<typeof alertSettingsInput>

// Compile-time check that the schemas describe the shared types.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const check: [Same<z.infer<typeof alert>, Alert>, Same<z.infer<typeof alertEvent>, AlertEvent>] = [true, true]
void check
