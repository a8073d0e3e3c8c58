// Registry entities: one zod schema per input and output, shared by the admin HTTP API (validation and
// OpenAPI), the CLI and the SQLite store. Output schemas never contain a secret hash, so a route that
// serialises through them cannot leak one.
import { z } from 'zod'
import { ID_PATTERN } from './topics.ts'

export const entityId = z.string().regex(ID_PATTERN, 'ids are 3-40 characters: a-z, 0-9, "_" or "-", starting with a letter or digit')

// Printable text only: names and labels end up on TV screens, consoles and logs.
// eslint-disable-next-line no-control-regex
const name = z.string().trim().min(1).max(100).regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters')
const phone = z.string().trim().regex(/^\+?[0-9 -]{5,20}$/, 'a phone number of 5-20 digits')

export const villageInput = z.object({ id: entityId.optional(), name })
export const village = z.object({ id: entityId, name, createdAt: z.number() })

export const gridInput = z.object({ id: entityId.optional(), villageId: entityId, name })
export const grid = z.object({ id: entityId, villageId: entityId, name, createdAt: z.number() })

export const homeInput = z.object({
  id: entityId.optional(),
  gridId: entityId,
  /** A house number or description, e.g. "山下庄 12号"; never the resident's name. */
  label: name
})
export const home = z.object({ id: entityId, gridId: entityId, villageId: entityId, label: name, createdAt: z.number() })

export const residentInput = z.object({
  id: entityId.optional(),
  homeId: entityId,
  name,
  birthYear: z.number().int().min(1900).max(2100).optional()
})
export const resident = z.object({
  id: entityId, homeId: entityId, name, birthYear: z.number().nullable(), createdAt: z.number()
})

export const contactRole = z.enum(['family', 'grid_worker', 'volunteer', 'village_duty'])
export const contactInput = z.object({
  id: entityId.optional(),
  /** A family contact belongs to a home; a grid worker to a grid; village duty to a village. */
  homeId: entityId.optional(),
  gridId: entityId.optional(),
  villageId: entityId.optional(),
  name,
  phone,
  role: contactRole,
  /** Escalation order within the same role, lowest first. */
  priority: z.number().int().min(0).max(99).default(0)
}).refine((c) => [c.homeId, c.gridId, c.villageId].filter(Boolean).length === 1, {
  message: 'a contact belongs to exactly one of homeId, gridId or villageId'
})
export const contact = z.object({
  id: entityId,
  homeId: entityId.nullable(),
  gridId: entityId.nullable(),
  villageId: entityId.nullable(),
  name,
  phone,
  role: contactRole,
  priority: z.number(),
  createdAt: z.number()
})

export const deviceKind = z.enum(['sensor', 'hub', 'hub-sensor'])
export const deviceInput = z.object({
  id: entityId.optional(),
  homeId: entityId,
  /** Where in the home, e.g. "卧室" (bedroom); helps the grid worker find it. */
  room: z.string().trim().max(40).optional()
})
export const deviceMoveInput = z.object({ homeId: entityId })

export const dropCounts = z.record(z.string(), z.number())

export const device = z.object({
  id: entityId,
  homeId: entityId,
  kind: deviceKind,
  room: z.string().nullable(),
  /** For a hub sensor: the hub it reports through, and its Zigbee2MQTT friendly name. */
  hubId: entityId.nullable(),
  friendlyName: z.string().nullable(),
  createdAt: z.number(),
  revokedAt: z.number().nullable(),
  online: z.boolean().nullable(),
  connected: z.boolean(),
  lastSeen: z.number().nullable(),
  battery: z.number().nullable(),
  rssi: z.number().nullable(),
  linkquality: z.number().nullable(),
  fw: z.string().nullable(),
  dropped: dropCounts
})

/** Returned once, when a device or hub is registered or its secret rotated. */
export const deviceCredentials = z.object({
  id: entityId,
  kind: deviceKind,
  homeId: entityId,
  secret: z.string(),
  mqtt: z.object({ clientId: z.string(), username: z.string(), password: z.string() })
})

export type VillageInput = z.infer<typeof villageInput>
export type Village = z.infer<typeof village>
export type GridInput = z.infer<typeof gridInput>
export type Grid = z.infer<typeof grid>
export type HomeInput = z.infer<typeof homeInput>
export type Home = z.infer<typeof home>
export type ResidentInput = z.infer<typeof residentInput>
export type Resident = z.infer<typeof resident>
export type ContactInput = z.input<typeof contactInput>
export type Contact = z.infer<typeof contact>
export type DeviceKind = z.infer<typeof deviceKind>
export type DeviceInput = z.infer<typeof deviceInput>
export type Device = z.infer<typeof device>
export type DeviceCredentials = z.infer<typeof deviceCredentials>
