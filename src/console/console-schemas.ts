// Console-only inputs and outputs (the domain's own schemas live beside their features in src/). The
// console never takes `by` from a body: the session's principal is who acts.
import { z } from 'zod'
import { tvCategoryTotal, tvChange } from '../tv/tv-api.ts'
import { adminStatementDetail } from '../content/finance-schemas.ts'
import { alert, alertWithEvents } from '../escalation/alert-schemas.ts'
import { contactRole, device, deviceCredentials, entityId, home } from '../registry-schemas.ts'
import { line } from '../content/content-schemas.ts'

// eslint-disable-next-line no-control-regex
const name = z.string().trim().min(1).max(100).regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters')
const phone = z.string().trim().regex(/^\+?[0-9 -]{5,20}$/, 'a phone number of 5-20 digits')

export const gridUpdate = z.object({ name })
export const homeUpdate = z.object({ label: name })
/** Escalation order within a role is `priority`, lowest first: the console's drag handle writes it. */
export const contactUpdate = z.object({ name: name.optional(), phone: phone.optional(), priority: z.number().int().min(0).max(99).optional() })
  .refine((c) => Object.keys(c).length > 0, 'nothing to change')
export const homeDetail = home.extend({
  gridName: z.string(),
  villageName: z.string()
})
export const placeQuery = z.object({ villageId: entityId.optional(), gridId: entityId.optional() })

export const deviceRegister = z.object({
  kind: z.enum(['sensor', 'hub']),
  id: entityId.optional(),
  room: z.string().trim().max(40).optional()
})
/** The secret appears here once; `provisioning` is what the QR code holds (docs/console.md). */
export const deviceProvisioned = deviceCredentials.extend({
  provisioning: z.string(),
  qrSvg: z.string().describe('an SVG image of the provisioning string, for the installer\'s label')
})
export const deviceHealthList = z.object({
  summary: z.object({
    total: z.number().int(), online: z.number().int(), offline: z.number().int(), unknown: z.number().int(),
    lowBattery: z.number().int(), revoked: z.number().int(), dropped: z.number().int()
  }),
  devices: z.array(device.extend({ homeLabel: z.string() }))
})

export const consoleAlert = alert.extend({ homeLabel: z.string(), gridId: z.string(), villageId: z.string() })
export const alertListQuery = z.object({
  state: z.enum(['unresolved', 'open', 'acknowledged', 'resolved', 'all']).default('unresolved'),
  homeId: entityId.optional(),
  gridId: entityId.optional()
})
export const notificationRow = z.object({
  id: z.number().int(), at: z.number(), recipient: z.string(), recipientName: z.string().nullable(),
  recipientRole: contactRole.nullable(), channel: z.string(), kind: z.string(), deliveredAt: z.number().nullable(),
  attempts: z.number().int(), lastError: z.string().nullable(), failedAt: z.number().nullable()
})
/** Who was told, when, who answered: the alert's events and every notification queued for it. */
export const alertTimeline = alertWithEvents.extend({ homeLabel: z.string(), notifications: z.array(notificationRow) })
export const resolveBody = z.object({
  outcome: z.enum(['resident_ok', 'false_alarm', 'helped_at_home', 'hospital', 'deceased', 'device_fixed', 'other']),
  note: z.string().trim().max(500).nullable().default(null).describe('the visit note: what the grid worker found and did')
})
export const awayBody = z.object({ until: z.number().int().nullable().describe('away until (unix ms); null: back home') })

export const statementDetail = adminStatementDetail.extend({ totals: z.array(tvCategoryTotal), changes: z.array(tvChange) })
export const importBody = z.object({
  filename: line(200).optional(),
  format: z.enum(['csv', 'xlsx']).optional().describe('default: from the file name, else sniffed (XLSX is a zip)'),
  contentBase64: z.string().min(1).max(4_000_000).describe('the file, base64 (at most ~3 MB)'),
  mode: z.enum(['replace', 'append']).default('replace')
})
export const rowError = z.object({ row: z.number().int(), column: z.string().nullable(), reason: z.string() })
export const importRejected = z.object({ error: z.literal('INVALID_INPUT'), message: z.string(), rows: z.array(rowError) })
