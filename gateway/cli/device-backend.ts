// Where device commands act. Locally they change the SQLite registry directly: right before the gateway
// runs, or for a gateway that is down. A running gateway only reads the registry when a device connects,
// so a direct revoke, move or rotate reaches a device that is connected now only at its next connect.
// With --url they go through the running gateway's admin API, which also closes the device's connection
// at once and republishes a new sensor's retained config downlink.
import { readFileSync, existsSync } from 'node:fs'
import { z } from 'zod'
import { AnjuError, ERROR_CODES, type ErrorCode } from '../../src/errors.ts'
import { device, deviceCredentials, type Device, type DeviceCredentials, type DeviceInput } from '../../src/registry-schemas.ts'
import { adminTokenPath } from '../admin-token.ts'
import { cliConfig, withStores, type GlobalOptions } from './context.ts'

export interface DeviceFilter {
  homeId?: string
  hubId?: string
}

export interface DeviceBackend {
  /** True when changes go through a running gateway and reach connected devices at once. */
  readonly live: boolean
  register (kind: 'sensor' | 'hub', input: DeviceInput): Promise<DeviceCredentials>
  list (filter: DeviceFilter): Promise<Device[]>
  revoke (id: string): Promise<Device>
  move (id: string, homeId: string): Promise<Device>
  rotate (id: string): Promise<DeviceCredentials>
}

export interface RemoteOptions {
  url?: string
  token?: string
}

function requireHome (found: unknown, homeId: string): void {
  if (found === undefined) throw new AnjuError('NOT_FOUND', `home ${homeId} does not exist`)
}

function requireDevice (found: Device | undefined, id: string): Device {
  if (found === undefined) throw new AnjuError('NOT_FOUND', `device ${id} does not exist`)
  return found
}

export function localDevices (globals: GlobalOptions): DeviceBackend {
  // Output goes through the same schemas as the HTTP API, so nothing but the listed fields can leave.
  const shape = (d: Device): Device => device.parse(d)
  return {
    live: false,
    register: async (kind, input) => withStores(globals, 'existing', ({ places, devices }) => {
      requireHome(places.getHome(input.homeId), input.homeId)
      return deviceCredentials.parse(devices.register(kind, input))
    }),
    list: async (filter) => withStores(globals, 'existing', ({ devices }) => devices.list(filter).map(shape)),
    revoke: async (id) => withStores(globals, 'existing', ({ devices }) => {
      devices.revoke(id)
      return shape(requireDevice(devices.get(id), id))
    }),
    move: async (id, homeId) => withStores(globals, 'existing', ({ places, devices }) => {
      requireDevice(devices.get(id), id)
      requireHome(places.getHome(homeId), homeId)
      return shape(devices.move(id, homeId))
    }),
    rotate: async (id) => withStores(globals, 'existing', ({ devices }) => deviceCredentials.parse(devices.rotateSecret(id)))
  }
}

/** --token, else ANJU_ADMIN_TOKEN (through the config), else the token file the gateway generated. */
function adminToken (remote: RemoteOptions, globals: GlobalOptions): string {
  if (remote.token !== undefined && remote.token !== '') return remote.token
  const { config, dataDir } = cliConfig(globals)
  if (config.adminToken !== undefined) return config.adminToken
  const file = adminTokenPath(dataDir)
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  throw new AnjuError('INVALID_INPUT', `--url needs the admin token: pass --token, set ANJU_ADMIN_TOKEN, or point --data-dir at the gateway's data dir (no ${file})`)
}

function baseUrl (url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new AnjuError('INVALID_INPUT', `--url: not a URL: ${url}`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new AnjuError('INVALID_INPUT', `--url: must be http:// or https://, got ${parsed.protocol}`)
  return parsed.href.replace(/\/+$/, '')
}

interface ApiError { error?: string, message?: string, details?: Array<{ path: string, message: string }> }

export function remoteDevices (remote: RemoteOptions & { url: string }, globals: GlobalOptions): DeviceBackend {
  const base = baseUrl(remote.url)
  const token = adminToken(remote, globals)

  async function call<S extends z.ZodType> (method: string, path: string, schema: S, body?: unknown): Promise<z.output<S>> {
    let res: Response
    try {
      res = await fetch(`${base}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000)
      })
    } catch (err) {
      // undici reports the reason (ECONNREFUSED, ENOTFOUND, a timeout) as the cause of "fetch failed".
      const cause = (err as { cause?: { code?: string, message?: string } }).cause
      throw new Error(`cannot reach the gateway at ${base}: ${cause?.code ?? cause?.message ?? (err as Error).message}`)
    }
    const text = await res.text()
    let json: unknown = null
    try {
      json = text === '' ? null : JSON.parse(text)
    } catch {
      // Not JSON: a proxy's error page, or not an Anju gateway; reported below.
    }
    if (!res.ok) {
      const answer = (json ?? {}) as ApiError
      const details = (answer.details ?? []).map((d) => `\n${d.path}: ${d.message}`).join('')
      const message = `${answer.message ?? `HTTP ${res.status}`}${details}`
      if (answer.error !== undefined && answer.error in ERROR_CODES) throw new AnjuError(answer.error as ErrorCode, message)
      throw new Error(`the gateway at ${base} answered HTTP ${res.status}: ${message}`)
    }
    const parsed = schema.safeParse(json)
    if (!parsed.success) throw new Error(`the gateway at ${base} answered in an unexpected shape; is it an Anju gateway of this version?`)
    return parsed.data
  }

  /** The API answers a missing home with the store's generic "a referenced record does not exist". */
  const homeMissing = (homeId: string) => (err: unknown): never => {
    if (err instanceof AnjuError && err.code === 'NOT_FOUND' && !err.message.startsWith('device ')) throw new AnjuError('NOT_FOUND', `home ${homeId} does not exist`)
    throw err
  }

  return {
    live: true,
    register: (kind, input) => call('POST', kind === 'sensor' ? '/devices' : '/hubs', deviceCredentials, input).catch(homeMissing(input.homeId)),
    list: (filter) => {
      const query = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => e[1] !== undefined))
      return call('GET', `/devices${query.size > 0 ? `?${query.toString()}` : ''}`, z.array(device))
    },
    revoke: (id) => call('POST', `/devices/${encodeURIComponent(id)}/revoke`, device),
    move: (id, homeId) => call('POST', `/devices/${encodeURIComponent(id)}/move`, device, { homeId }).catch(homeMissing(homeId)),
    rotate: (id) => call('POST', `/devices/${encodeURIComponent(id)}/rotate-secret`, deviceCredentials)
  }
}

export function deviceBackend (remote: RemoteOptions, globals: GlobalOptions): DeviceBackend {
  if (remote.url === undefined) {
    if (remote.token !== undefined) throw new AnjuError('INVALID_INPUT', '--token is only used with --url')
    return localDevices(globals)
  }
  return remoteDevices({ ...remote, url: remote.url }, globals)
}
