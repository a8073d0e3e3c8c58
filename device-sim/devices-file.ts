// The provisioned village on disk: ids and secrets of every sensor and hub, so a second run reuses
// them instead of registering new devices (secrets are shown once by the gateway and cannot be read
// back). It holds secrets: written owner-only, like the gateway's own admin-token file.
import { readFileSync, writeFileSync, mkdirSync, renameSync } from 'node:fs'
import { dirname } from 'node:path'
import { z } from 'zod'
import { entityId } from '../src/registry-schemas.ts'

export const roomSchema = z.enum(['bedroom', 'living_room', 'kitchen', 'bathroom'])
const credentials = { id: entityId, secret: z.string().min(1) }

const nativeHome = z.object({
  kind: z.literal('native'),
  index: z.number().int().min(0),
  homeId: entityId,
  label: z.string(),
  sensors: z.array(z.object({ ...credentials, room: roomSchema })).min(1)
})

const hubHome = z.object({
  kind: z.literal('hub'),
  index: z.number().int().min(0),
  homeId: entityId,
  label: z.string(),
  hub: z.object(credentials),
  /** The hub's Zigbee sensors: the gateway registers them when the hub first reports a friendly name. */
  sensors: z.array(z.object({ friendlyName: z.string().min(1), room: roomSchema })).min(1)
})

export const simHome = z.discriminatedUnion('kind', [nativeHome, hubHome])

export const devicesFile = z.object({
  version: z.literal(1),
  villageId: entityId,
  villageName: z.string(),
  /** The seed the village was planned with; a run from this file uses it unless told otherwise. */
  seed: z.number().int(),
  homes: z.array(simHome)
})

export type SimHome = z.infer<typeof simHome>
export type DevicesFile = z.infer<typeof devicesFile>

export function readDevicesFile (path: string): DevicesFile {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new Error(`cannot read devices file ${path}: ${(err as Error).message}`)
  }
  const parsed = devicesFile.safeParse(raw)
  if (!parsed.success) {
    throw new Error(`devices file ${path} is not valid:\n` + parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n'))
  }
  return parsed.data
}

export function writeDevicesFile (path: string, file: DevicesFile): void {
  mkdirSync(dirname(path), { recursive: true })
  // Write then rename: a crash mid-write must not leave half a file that a second run cannot read.
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 })
  renameSync(tmp, path)
}
