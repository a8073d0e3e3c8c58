// `anju device ...` and `anju hub ...`: register sensors and hubs (the secret is printed once), list them
// with their health, and revoke, move or re-key them — locally or, with --url, through a running gateway.
import type { Command } from 'commander'
import { z } from 'zod'
import { AnjuError } from '../../src/errors.ts'
import { deviceInput, deviceMoveInput, entityId, type Device, type DeviceCredentials } from '../../src/registry-schemas.ts'
import { hubPrefix } from '../../src/topics.ts'
import { globalsOf } from './context.ts'
import { deviceBackend, type DeviceBackend, type RemoteOptions } from './device-backend.ts'
import { defined, idArg, parseInput } from './input.ts'
import { formatTime, keyValues, note, print, printJson, table } from './output.ts'

type Opts = RemoteOptions & { json?: boolean }

/** --url/--token on every device command: act through a running gateway's admin API instead of the database. */
function remote (cmd: Command): Command {
  return cmd
    .option('--url <url>', 'a running gateway\'s HTTP address, e.g. http://127.0.0.1:8080: changes reach connected devices at once')
    .option('--token <token>', 'admin token for --url (default: ANJU_ADMIN_TOKEN, else <data dir>/admin-token)')
    .option('--json', 'print JSON')
}

const backendOf = (opts: Opts, cmd: Command): DeviceBackend => deviceBackend(defined({ url: opts.url, token: opts.token }), globalsOf(cmd))

/** Said after every direct database change a running gateway would not see until the device reconnects. */
function offlineNote (backend: DeviceBackend, what: string): void {
  if (backend.live) return
  note(`note: ${what} is saved in the database. A gateway already running on it applies this when the device next ` +
    'connects; a connection open now stays open until then. Use --url to apply it at once.')
}

function showCredentials (opts: Opts, c: DeviceCredentials, verb: string): void {
  if (opts.json === true) return printJson(c)
  print(`${verb} ${c.kind} ${c.id} in home ${c.homeId}\n`)
  print(keyValues([
    ['device id', c.id],
    ['secret', c.secret],
    ['MQTT client id', c.mqtt.clientId],
    ['MQTT username', c.mqtt.username],
    ['MQTT password', c.mqtt.password],
    ['protocol', 'MQTT 3.1.1 (MQTT 5 is refused)']
  ]))
  if (c.kind === 'hub') print(`\n  Zigbee2MQTT: set mqtt.base_topic to ${hubPrefix(c.id)}`)
  print('\nWARNING: this secret is shown only now. The gateway keeps only its hash and cannot show it again.')
  print(`Put it into the device now; if it is lost, issue a new one with: anju device rotate ${c.id}`)
}

function showDevice (opts: Opts, d: Device, title: string): void {
  if (opts.json === true) return printJson(d)
  print(title)
  print(keyValues([
    ['id', d.id], ['kind', d.kind], ['home', d.homeId], ['room', d.room], ['hub', d.hubId],
    ['revoked', d.revokedAt === null ? 'no' : formatTime(d.revokedAt)], ['last seen', formatTime(d.lastSeen)]
  ]))
}

const yesNo = (v: boolean | null): string => (v === null ? '-' : v ? 'yes' : 'no')

function deviceTable (rows: Device[], live: boolean): string {
  return table<Device>(rows, [
    { header: 'id', value: (d) => d.id },
    { header: 'kind', value: (d) => d.kind },
    { header: 'home', value: (d) => d.homeId },
    // A Zigbee sensor behind a hub has no room, but its friendly name usually says where it is.
    { header: 'room', value: (d) => d.room ?? (d.friendlyName === null ? null : `(${d.friendlyName})`) },
    { header: 'online', value: (d) => (d.revokedAt !== null ? 'revoked' : yesNo(d.online)) },
    ...(live ? [{ header: 'connected', value: (d: Device) => yesNo(d.connected) }] : []),
    { header: 'last seen', value: (d) => formatTime(d.lastSeen) },
    { header: 'battery', value: (d) => (d.battery === null ? null : `${d.battery}%`), align: 'right' },
    { header: 'dropped', value: (d) => Object.values(d.dropped).reduce((a, b) => a + b, 0), align: 'right' }
  ], 'no devices')
}

function addCommand (parent: Command, kind: 'sensor' | 'hub'): void {
  remote(parent.command('add').description(kind === 'sensor'
    ? 'register a sensor; prints its id and secret once'
    : 'register a Zigbee2MQTT home hub; prints its id and secret once'))
    .requiredOption('--home <homeId>', 'the home it is installed in')
    .option('--room <room>', 'where in the home, e.g. 卧室 (bedroom)')
    .option('--id <id>', 'choose the id, e.g. a serial number (default: generated)')
    .action(async (opts: Opts & { home: string, room?: string, id?: string }, cmd: Command) => {
      const input = parseInput(deviceInput, defined({ id: opts.id, homeId: opts.home, room: opts.room }))
      const backend = backendOf(opts, cmd)
      let credentials: DeviceCredentials
      try {
        credentials = await backend.register(kind, input)
      } catch (err) {
        if (err instanceof AnjuError && err.code === 'CONFLICT') throw new AnjuError('CONFLICT', `device ${input.id ?? '(generated id)'} already exists`)
        throw err
      }
      showCredentials(opts, credentials, 'registered')
    })
}

export function registerDeviceCommands (program: Command): void {
  const hub = program.command('hub').description('home hubs running Zigbee2MQTT')
  addCommand(hub, 'hub')

  const device = program.command('device').description('sensors and hubs: register, list, revoke, move, rotate the secret')
  addCommand(device, 'sensor')

  remote(device.command('list').description('list devices with their health'))
    .option('--home <id>', 'only this home')
    .option('--hub <id>', 'only the sensors behind this hub')
    .action(async (opts: Opts & { home?: string, hub?: string }, cmd: Command) => {
      const filter = parseInput(z.object({ homeId: entityId.optional(), hubId: entityId.optional() }), defined({ homeId: opts.home, hubId: opts.hub }))
      const backend = backendOf(opts, cmd)
      const rows = await backend.list(filter)
      if (opts.json === true) printJson(rows)
      else print(deviceTable(rows, backend.live))
    })

  remote(device.command('revoke').description('refuse this device from now on (its secret stops working)').argument('<id>', 'device id'))
    .action(async (id: string, opts: Opts, cmd: Command) => {
      const backend = backendOf(opts, cmd)
      const d = await backend.revoke(idArg(id))
      showDevice(opts, d, `revoked ${d.kind} ${d.id}`)
      offlineNote(backend, 'the revocation')
    })

  remote(device.command('rotate').description('issue a new secret (the old one stops working; also re-enables a revoked device)').argument('<id>', 'device id'))
    .action(async (id: string, opts: Opts, cmd: Command) => {
      const backend = backendOf(opts, cmd)
      showCredentials(opts, await backend.rotate(idArg(id)), 'new secret for')
      offlineNote(backend, 'the new secret')
    })

  remote(device.command('move').description('move a device (a hub with its sensors) to another home; no reflashing needed').argument('<id>', 'device id'))
    .requiredOption('--home <homeId>', 'the new home')
    .action(async (id: string, opts: Opts & { home: string }, cmd: Command) => {
      const deviceId = idArg(id)
      const { homeId } = parseInput(deviceMoveInput, { homeId: opts.home })
      const backend = backendOf(opts, cmd)
      const d = await backend.move(deviceId, homeId)
      showDevice(opts, d, `moved ${d.kind} ${d.id} to home ${d.homeId}`)
      offlineNote(backend, 'the move')
    })
}
