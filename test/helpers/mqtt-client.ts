// Real `mqtt` clients against a test gateway, plus waiting helpers that poll instead of sleeping.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'

export interface DeviceLogin { id: string, secret: string }

export function deviceOptions (login: DeviceLogin, extra: IClientOptions = {}): IClientOptions {
  return { clientId: login.id, username: login.id, password: login.secret, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...extra }
}

/** Connect as a device; resolves once CONNACK 0 arrived. */
export async function connectDevice (url: string, login: DeviceLogin, extra: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, deviceOptions(login, extra))
}

/** Try to connect and return the CONNACK return code of a refusal (0 would mean accepted). */
export async function connackCode (url: string, options: IClientOptions): Promise<number> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4, ...options })
  try {
    return await new Promise<number>((resolve, reject) => {
      client.once('connect', () => resolve(0))
      client.once('error', (err: Error & { code?: number }) => {
        if (typeof err.code === 'number') resolve(err.code)
        else reject(err)
      })
    })
  } finally {
    client.end(true)
  }
}

/** Resolve when the broker closes this client's connection. */
export function closed (client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    if (!client.connected && client.disconnected) return resolve()
    client.once('close', () => resolve())
  })
}

/** Poll `check` until it returns a truthy value or the timeout passes. */
export async function waitFor<T> (check: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value as NonNullable<T>
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** Read one metric sample from the gateway's Prometheus text. */
export async function metricValue (metricsText: string | Promise<string>, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await metricsText
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`)
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue
    if (want.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return Number.NaN
}
