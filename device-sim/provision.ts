// Provisioning through the gateway's admin HTTP API, exactly as a village clerk's tools would: village,
// grids, homes, residents, contacts, then one registration per sensor or hub (whose secret comes back
// once). The simulator never touches the gateway's database.
import type { Device, DeviceCredentials, Grid, Home, Village } from '../src/registry-schemas.ts'
import type { DevicesFile, SimHome } from './devices-file.ts'
import { mapLimit } from './map-limit.ts'
import { ROOM_LABELS, type Room } from './routine.ts'
import { ROOM_PRIORITY, friendlyName, roomOfFriendlyName, type HomePlan } from './village-plan.ts'

export class AdminApi {
  constructor (private readonly baseUrl: string, private readonly token: string) {}

  async request<T> (method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    const text = await res.text()
    if (!res.ok) {
      // The gateway answers { error, message }; show that, never the request (it may hold a token).
      let detail = text
      try { detail = (JSON.parse(text) as { message?: string }).message ?? text } catch { /* not JSON */ }
      throw new Error(`${method} ${path} failed: ${res.status} ${detail}`)
    }
    return (text === '' ? null : JSON.parse(text)) as T
  }

  get<T> (path: string): Promise<T> { return this.request<T>('GET', path) }
  post<T> (path: string, body: unknown = {}): Promise<T> { return this.request<T>('POST', path, body) }
}

export async function findVillage (api: AdminApi, name: string): Promise<Village | undefined> {
  return (await api.get<Village[]>('/api/v1/villages')).find((v) => v.name === name)
}

export interface ProvisionOptions {
  villageName: string
  gridNames: string[]
  plan: HomePlan[]
  seed: number
  /** Also register residents, a family contact per home and a grid worker per grid (the demo does). */
  people: boolean
  /** Add the homes to this village instead of creating one. */
  village?: Village
  /** Concurrent HTTP requests; the gateway's SQLite writes are serial anyway, a few hide the latency. */
  concurrency?: number
  onHome?: (home: SimHome) => void
}

const GRID_WORKERS = ['陈海军', '林晓燕', '周建平', '吴丽娟', '徐国强', '孙美华']

export async function provisionVillage (api: AdminApi, opts: ProvisionOptions): Promise<DevicesFile> {
  const village = opts.village ?? await api.post<Village>('/api/v1/villages', { name: opts.villageName })
  const grids: Grid[] = []
  for (const [g, name] of opts.gridNames.entries()) {
    const grid = await api.post<Grid>('/api/v1/grids', { villageId: village.id, name })
    grids.push(grid)
    if (opts.people) {
      await api.post('/api/v1/contacts', { gridId: grid.id, role: 'grid_worker', name: GRID_WORKERS[g % GRID_WORKERS.length], phone: `+86 100 0001 ${String(g).padStart(4, '0')}` })
    }
  }
  const homes = await mapLimit(opts.plan, opts.concurrency ?? 4, async (plan): Promise<SimHome> => {
    const grid = grids[plan.gridIndex % grids.length] as Grid
    const home = await api.post<Home>('/api/v1/homes', { gridId: grid.id, label: plan.label })
    if (opts.people) {
      await api.post('/api/v1/residents', { homeId: home.id, name: plan.resident.name, birthYear: plan.resident.birthYear })
      await api.post('/api/v1/contacts', { homeId: home.id, role: 'family', name: plan.family.name, phone: plan.family.phone })
    }
    const simHome = await provisionDevices(api, home, plan)
    opts.onHome?.(simHome)
    return simHome
  })
  return { version: 1, villageId: village.id, villageName: village.name, seed: opts.seed, homes }
}

async function provisionDevices (api: AdminApi, home: Home, plan: HomePlan): Promise<SimHome> {
  if (plan.hub) {
    // A hub stands in the living room; its Zigbee sensors are registered by the gateway on first report.
    const hub = await api.post<DeviceCredentials>('/api/v1/hubs', { homeId: home.id, room: ROOM_LABELS.living_room })
    return { kind: 'hub', index: plan.index, homeId: home.id, label: plan.label, hub: { id: hub.id, secret: hub.secret }, sensors: plan.rooms.map((room) => ({ room, friendlyName: friendlyName(room) })) }
  }
  const sensors = []
  for (const room of plan.rooms) {
    const c = await api.post<DeviceCredentials>('/api/v1/devices', { homeId: home.id, room: ROOM_LABELS[room] })
    sensors.push({ id: c.id, secret: c.secret, room })
  }
  return { kind: 'native', index: plan.index, homeId: home.id, label: plan.label, sensors }
}

const roomOfLabel = (label: string | null): Room =>
  (Object.entries(ROOM_LABELS).find(([, l]) => l === label)?.[0] as Room | undefined) ?? 'living_room'

/** Sensors in placement order, as provisioned, so sensor numbers (--sensor-dies) stay the same. */
const byRoom = (a: { room: Room }, b: { room: Room }): number => ROOM_PRIORITY.indexOf(a.room) - ROOM_PRIORITY.indexOf(b.room)

/**
 * Rebuild a devices file for a village that exists but whose file was lost: secrets cannot be read
 * back, so each sensor's and hub's secret is rotated (the gateway closes their old connections).
 * Hub sensors that never reported are unknown to the gateway; their rooms come from `plan`.
 */
export async function recoverDevices (api: AdminApi, village: Village, seed: number, plan: HomePlan[] = []): Promise<DevicesFile> {
  const homes = (await api.get<Home[]>(`/api/v1/homes?villageId=${encodeURIComponent(village.id)}`))
    .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
  const out: SimHome[] = []
  for (const [position, home] of homes.entries()) {
    // Labels end in the house number ("山下庄 3号"); the simulator's home index is that number - 1.
    const number = /(\d+)号$/.exec(home.label)
    const index = number === null ? position : Number(number[1]) - 1
    const devices = (await api.get<Device[]>(`/api/v1/devices?homeId=${encodeURIComponent(home.id)}`)).filter((d) => d.revokedAt === null)
    const hub = devices.find((d) => d.kind === 'hub')
    if (hub !== undefined) {
      const c = await api.post<DeviceCredentials>(`/api/v1/devices/${hub.id}/rotate-secret`)
      const known = devices.filter((d) => d.kind === 'hub-sensor' && d.hubId === hub.id && d.friendlyName !== null)
        .map((d) => ({ friendlyName: d.friendlyName as string, room: roomOfFriendlyName(d.friendlyName as string) ?? 'living_room' }))
      const planned = (plan[index]?.rooms ?? ['living_room' as Room]).map((room) => ({ room, friendlyName: friendlyName(room) }))
      const sensors = [...known, ...planned.filter((p) => !known.some((k) => k.friendlyName === p.friendlyName))]
      out.push({ kind: 'hub', index, homeId: home.id, label: home.label, hub: { id: c.id, secret: c.secret }, sensors: sensors.sort(byRoom) })
      continue
    }
    const sensors = []
    for (const d of devices.filter((d) => d.kind === 'sensor')) {
      const c = await api.post<DeviceCredentials>(`/api/v1/devices/${d.id}/rotate-secret`)
      sensors.push({ id: c.id, secret: c.secret, room: roomOfLabel(d.room) })
    }
    if (sensors.length > 0) out.push({ kind: 'native', index, homeId: home.id, label: home.label, sensors: sensors.sort(byRoom) })
  }
  return { version: 1, villageId: village.id, villageName: village.name, seed, homes: out.sort((a, b) => a.index - b.index) }
}
