// Cluster mode with Mosquitto (docs/cluster.md): devices connect to Mosquitto, not to the gateway, so the
// broker must know each device's secret and ACL. Mosquitto cannot ask the gateway (no HTTP auth backend in
// Debian's build; go-auth is not packaged), so the registry is pushed into Mosquitto's dynamic security
// plugin over its control topic whenever a device is registered, re-keyed or revoked.
//
// The ACLs here mirror src/acl.ts (mayPublish/maySubscribe) and device protocol v1. Both exist because the
// broker enforces these at the socket and cannot call the gateway's code, while the gateway keeps its own
// rules for the embedded broker and re-checks every message its workers receive (defense in depth). A
// change to one must be made to the other; test/cluster/mosquitto-dynsec.test.ts holds them together.
//
// Control API: https://mosquitto.org/documentation/dynamic-security/ — commands are published as
// `{"commands":[...]}` to $CONTROL/dynamic-security/v1; answers come on .../v1/response as
// `{"responses":[{command, error?, data?, correlationData?}]}`, one per command, in order.
import { randomUUID } from 'node:crypto'
import mqtt, { type MqttClient } from 'mqtt'
import { devicePrefix, deviceTopic, hubPrefix, TOPIC_ROOT } from '../../src/topics.ts'
import type { Config } from '../config/config-schema.ts'
import type { Logger } from '../logger.ts'
import type { DeviceProvisioner } from '../registry/device-admin.ts'

const CONTROL_TOPIC = '$CONTROL/dynamic-security/v1'
const RESPONSE_TOPIC = CONTROL_TOPIC + '/response'
export const WORKER_ROLE = 'anju-worker'
const DEFAULT_TIMEOUT_MS = 10_000

export interface DynsecCommand { command: string, [field: string]: unknown }
export interface DynsecResponse { command: string, error?: string, data?: unknown, correlationData?: string }
type Acl = { acltype: 'publishClientSend' | 'publishClientReceive' | 'subscribeLiteral' | 'subscribePattern', topic: string, allow: boolean }

export interface DynsecOptions {
  /** mqtt://host:port of the Mosquitto with the dynamic security plugin. */
  url: string
  /** The plugin's admin client (`mosquitto_ctrl dynsec init <file> <username>`). */
  username: string
  password: string
  log: Logger
  /** How long a request waits for its answers (including for the connection) before it fails. */
  timeoutMs?: number
}

/** The plugin answered a command with an error (the message is the plugin's, e.g. "Role not found"). */
export class DynsecError extends Error {
  constructor (readonly command: string, readonly reason: string, subject: string) {
    super(`dynamic security refused ${command} for ${subject}: ${reason}`)
    this.name = 'DynsecError'
  }
}

export const deviceRoleName = (id: string): string => `anju-device-${id}`

/** Device protocol v1 ACL: a sensor sends motion and status and reads its config; a hub stays under its prefix. */
export function deviceAcls (kind: 'sensor' | 'hub', id: string): Acl[] {
  if (kind === 'sensor') {
    return [
      { acltype: 'publishClientSend', topic: deviceTopic(id, 'motion'), allow: true },
      { acltype: 'publishClientSend', topic: deviceTopic(id, 'status'), allow: true },
      { acltype: 'subscribeLiteral', topic: deviceTopic(id, 'config'), allow: true },
      { acltype: 'publishClientReceive', topic: devicePrefix(id) + '/config', allow: true }
    ]
  }
  // Zigbee2MQTT subscribes `<base>/#`, `<base>/bridge/request/#`, `<base>/+/set`: any filter inside the prefix.
  return [
    { acltype: 'publishClientSend', topic: hubPrefix(id) + '/#', allow: true },
    { acltype: 'subscribePattern', topic: hubPrefix(id) + '/#', allow: true },
    { acltype: 'publishClientReceive', topic: hubPrefix(id) + '/#', allow: true }
  ]
}

/**
 * A gateway worker reads every uplink (alone or in a shared group), publishes retained config downlinks,
 * and publishes MQTT push to carers' apps (gateway/notify/channels/mqtt-push.ts). No device role allows
 * anything under `push/`, and the default refuses it.
 */
export function workerAcls (): Acl[] {
  return [
    // Mosquitto 2.0 checks a shared subscription's ACL against the whole `$share/<group>/<filter>`.
    { acltype: 'subscribePattern', topic: `$share/+/${TOPIC_ROOT}/#`, allow: true },
    { acltype: 'subscribePattern', topic: `${TOPIC_ROOT}/#`, allow: true },
    { acltype: 'publishClientReceive', topic: `${TOPIC_ROOT}/#`, allow: true },
    { acltype: 'publishClientSend', topic: `${TOPIC_ROOT}/dev/+/config`, allow: true },
    // Mosquitto acknowledges a refused QoS 1 publish from an MQTT 3.1.1 client and drops it, so without
    // this line push would look sent and reach nobody.
    { acltype: 'publishClientSend', topic: `${TOPIC_ROOT}/push/#`, allow: true }
  ]
}

/**
 * Refuse by default: a client may send and subscribe only where a role allows it. Receiving stays allowed
 * (a client only receives what it could subscribe to), unsubscribing too.
 */
const DEFAULT_ACCESS: DynsecCommand = {
  command: 'setDefaultACLAccess',
  acls: [
    { acltype: 'publishClientSend', allow: false },
    { acltype: 'subscribe', allow: false },
    { acltype: 'publishClientReceive', allow: true },
    { acltype: 'unsubscribe', allow: true }
  ]
}

export class DynsecProvisioner implements DeviceProvisioner {
  private readonly client: MqttClient
  private readonly timeoutMs: number
  private readonly pending = new Map<string, (response: DynsecResponse) => void>()
  /** True while connected with the response topic subscribed; requests wait for it. */
  private ready = false
  private readonly readyWaiters: Array<() => void> = []
  private lastError: string | undefined
  private defaultsSet = false
  private closed = false

  constructor (private readonly options: DynsecOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.client = mqtt.connect(options.url, {
      username: options.username,
      password: options.password,
      clientId: `anju-dynsec-${randomUUID().slice(0, 8)}`,
      protocolVersion: 4,
      reconnectPeriod: 2_000,
      connectTimeout: 5_000
    })
    this.client.on('connect', () => {
      this.lastError = undefined
      this.client.subscribeAsync(RESPONSE_TOPIC, { qos: 1 }).then(() => {
        this.ready = true
        for (const wake of this.readyWaiters.splice(0)) wake()
      }, (err: Error) => {
        this.lastError = `cannot subscribe ${RESPONSE_TOPIC}: ${err.message}`
        options.log.error({ err }, 'dynamic security: cannot subscribe to the response topic')
      })
    })
    this.client.on('close', () => { this.ready = false })
    this.client.on('error', (err) => {
      if (this.lastError !== err.message) options.log.error({ err, url: options.url }, 'dynamic security: admin connection failed')
      this.lastError = err.message
    })
    this.client.on('message', (topic, payload) => this.answer(topic, payload))
  }

  private answer (topic: string, payload: Buffer): void {
    if (topic !== RESPONSE_TOPIC) return
    let body: { responses?: DynsecResponse[] }
    try {
      body = JSON.parse(payload.toString('utf8')) as { responses?: DynsecResponse[] }
    } catch {
      this.options.log.warn('dynamic security: unreadable answer ignored')
      return
    }
    for (const response of body.responses ?? []) {
      const id = response.correlationData
      const resolve = id === undefined ? undefined : this.pending.get(id)
      if (resolve === undefined) continue // another admin's answer: everyone on the topic sees all of them
      this.pending.delete(id as string)
      resolve(response)
    }
  }

  /** Send commands in one message; resolves with one answer per command, in order (errors included). */
  async request (commands: DynsecCommand[]): Promise<DynsecResponse[]> {
    if (this.closed) throw new Error('dynamic security: provisioner is closed')
    const ids = commands.map(() => randomUUID())
    const answers = ids.map((id) => new Promise<DynsecResponse>((resolve) => this.pending.set(id, resolve)))
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((resolve, reject) => {
      timer = setTimeout(() => {
        const names = commands.map((c) => c.command).join(', ')
        const why = this.lastError === undefined ? '' : ` (last connection error: ${this.lastError})`
        reject(new Error(`dynamic security: no answer to ${names} from ${this.options.url} within ${this.timeoutMs} ms${why}`))
      }, this.timeoutMs)
    })
    try {
      if (!this.ready) {
        let wake: () => void = () => {}
        try {
          await Promise.race([new Promise<void>((resolve) => { wake = resolve; this.readyWaiters.push(resolve) }), timeout])
        } finally {
          const at = this.readyWaiters.indexOf(wake)
          if (at >= 0) this.readyWaiters.splice(at, 1)
        }
      }
      const message = { commands: commands.map((c, i) => ({ ...c, correlationData: ids[i] })) }
      await Promise.race([this.client.publishAsync(CONTROL_TOPIC, JSON.stringify(message), { qos: 1 }), timeout])
      return await Promise.race([Promise.all(answers), timeout])
    } finally {
      clearTimeout(timer)
      for (const id of ids) this.pending.delete(id)
    }
  }

  /** The default ACL access, sent with the first change this provisioner makes (idempotent). */
  private defaults (): DynsecCommand[] {
    return this.defaultsSet ? [] : [DEFAULT_ACCESS]
  }

  /**
   * Create or update a role and a client holding it. Creating first keeps the common case to one round
   * trip; an existing role or client is then modified, which replaces its ACLs, password and roles.
   * Mosquitto disconnects a client whose password or roles change, so a re-keyed device must log in again.
   */
  private async upsert (subject: string, role: string, acls: Acl[], client: { username: string, clientid?: string, password: string }): Promise<void> {
    const defaults = this.defaults()
    const first = await this.request([
      ...defaults,
      { command: 'createRole', rolename: role, acls },
      { command: 'createClient', ...client, roles: [{ rolename: role }] }
    ])
    const [roleAnswer, clientAnswer] = first.slice(defaults.length)
    const retry: DynsecCommand[] = []
    for (const answer of first.slice(0, defaults.length)) check(answer, subject)
    if (roleAnswer?.error === 'Role already exists') retry.push({ command: 'modifyRole', rolename: role, acls })
    else check(roleAnswer, subject)
    if (clientAnswer?.error === 'Client already exists') retry.push({ command: 'modifyClient', ...client, roles: [{ rolename: role }] })
    else check(clientAnswer, subject)
    if (retry.length > 0) for (const answer of await this.request(retry)) check(answer, subject)
    this.defaultsSet = true
  }

  /**
   * The gateway workers' login. Run it when a worker is deployed, not on every start: changing an existing
   * client disconnects every connection with that username (they reconnect; their persistent sessions keep
   * what was queued meanwhile).
   */
  async ensureWorkerRole (username: string, password: string): Promise<void> {
    await this.upsert(`worker ${username}`, WORKER_ROLE, workerAcls(), { username, password })
    this.options.log.info({ username }, 'dynamic security: worker login ensured')
  }

  /** Create or re-key a device: client `id` (client id pinned to `id`) with its own role. Idempotent. */
  async upsertDevice (device: { id: string, kind: 'sensor' | 'hub', secret: string }): Promise<void> {
    await this.upsert(`device ${device.id}`, deviceRoleName(device.id), deviceAcls(device.kind, device.id),
      { username: device.id, clientid: device.id, password: device.secret })
    this.options.log.debug({ deviceId: device.id, kind: device.kind }, 'dynamic security: device provisioned')
  }

  /** Delete a device's client (Mosquitto disconnects it) and its role. A device already gone is fine. */
  async removeDevice (id: string): Promise<void> {
    const [clientAnswer, roleAnswer] = await this.request([
      { command: 'deleteClient', username: id },
      { command: 'deleteRole', rolename: deviceRoleName(id) }
    ])
    if (clientAnswer?.error !== 'Client not found') check(clientAnswer, `device ${id}`)
    if (roleAnswer?.error !== 'Role not found') check(roleAnswer, `device ${id}`)
    this.options.log.debug({ deviceId: id }, 'dynamic security: device removed')
  }

  async close (): Promise<void> {
    this.closed = true
    this.pending.clear()
    await this.client.endAsync()
  }
}

function check (answer: DynsecResponse | undefined, subject: string): void {
  if (answer === undefined) throw new Error(`dynamic security: missing answer for ${subject}`)
  if (answer.error !== undefined) throw new DynsecError(answer.command, answer.error, subject)
}

/** The provisioner for `config.dynsec`, or undefined when no URL is configured (embedded mode). */
export function createDynsecProvisioner (config: Config['dynsec'], log: Logger): DynsecProvisioner | undefined {
  if (config.url === undefined) return undefined
  if (config.password === undefined) throw new Error('dynsec.url is set but dynsec.password is not (the plugin admin\'s password)')
  return new DynsecProvisioner({ url: config.url, username: config.username, password: config.password, log: log.child({ part: 'dynsec' }) })
}
