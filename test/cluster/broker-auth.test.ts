// The external broker's HTTP auth backend (docs/broker-auth.md), called over real HTTP the way EMQX 5 and
// mosquitto-go-auth call it, against devices registered through the admin API: the same answers as the
// embedded broker gives at CONNECT, SUBSCRIBE and PUBLISH.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { metricValue } from '../helpers/mqtt-client.ts'
import { addDevice, seedHome, startGateway, type Credentials, type TestGateway } from '../helpers/start-gateway.ts'

const TOKEN = 'broker-auth-token-0123456789abcdef'
const WORKER_PASSWORD = 'worker-password-0123456789abcdef'
const ROUTES = ['/broker/emqx/authn', '/broker/emqx/authz', '/broker/go-auth/user', '/broker/go-auth/superuser', '/broker/go-auth/acl']

interface Answer { status: number, text: string, contentType: string | null, json: unknown }

async function post (gw: TestGateway, path: string, body: unknown, authorization: string | null = `Bearer ${TOKEN}`): Promise<Answer> {
  const res = await fetch(gw.urls.http + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization === null ? {} : { authorization }) },
    body: typeof body === 'string' ? body : JSON.stringify(body)
  })
  const text = await res.text()
  let json: unknown
  // Non-JSON answers (none expected) stay visible through `text`.
  try { json = JSON.parse(text) } catch { json = null }
  return { status: res.status, text, contentType: res.headers.get('content-type'), json }
}

async function decisions (gw: TestGateway): Promise<number> {
  const text = await gw.metrics.registry.metrics()
  return text.split('\n').filter((l) => l.startsWith('anju_broker_auth_decisions_total{')).reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0)
}

describe('external broker auth backend', () => {
  let gw: TestGateway
  let sensor: Credentials
  let other: Credentials
  let hub: Credentials
  const emqxAuthn = (c: { id: string, secret: string }, extra: Record<string, string> = {}) =>
    post(gw, '/broker/emqx/authn', { clientid: c.id, username: c.id, password: c.secret, peerhost: '192.0.2.10', ...extra })
  const emqxAuthz = (id: string, action: 'publish' | 'subscribe', topic: string) =>
    post(gw, '/broker/emqx/authz', { clientid: id, username: id, topic, action }).then((a) => (a.json as { result: string }).result)
  const goAcl = (id: string, acc: number, topic: string) =>
    post(gw, '/broker/go-auth/acl', { username: id, clientid: id, topic, acc }).then((a) => a.status)

  beforeAll(async () => {
    gw = await startGateway({ brokerAuth: { token: TOKEN }, cluster: { brokerPassword: WORKER_PASSWORD } })
    const { homeId } = await seedHome(gw)
    sensor = await addDevice(gw, homeId)
    other = await addDevice(gw, homeId)
    hub = await addDevice(gw, homeId, 'hub')
  })
  afterAll(async () => { await gw?.stop() })

  it('lets a registered sensor in with its secret and keeps a wrong secret out, on both brokers', async () => {
    const ok = await emqxAuthn(sensor)
    expect(ok.status).toBe(200)
    expect(ok.json).toEqual({ result: 'allow', is_superuser: false })
    expect((await emqxAuthn(sensor, { password: 'not-the-secret' })).json).toEqual({ result: 'deny', is_superuser: false })
    expect((await post(gw, '/broker/go-auth/user', { username: other.id, password: other.secret, clientid: other.id })).status).toBe(200)
    expect((await post(gw, '/broker/go-auth/user', { username: other.id, password: 'not-the-secret', clientid: other.id })).status).toBe(403)
    // Unknown ids answer like wrong secrets; absent fields (rendered "" by the broker) are a deny, not an error.
    expect((await emqxAuthn({ id: 'dev-nobody-here', secret: 'x' })).json).toEqual({ result: 'deny', is_superuser: false })
    expect((await emqxAuthn(sensor, { username: '', password: '' })).json).toEqual({ result: 'deny', is_superuser: false })
    expect(await metricValue(gw.metrics.registry.metrics(), 'anju_broker_auth_decisions_total', { check: 'emqx_authn', result: 'deny', reason: 'bad_secret' })).toBeGreaterThanOrEqual(1)
  })

  it('refuses a client id that is not the username', async () => {
    expect((await emqxAuthn(sensor, { clientid: other.id })).json).toEqual({ result: 'deny', is_superuser: false })
    expect((await post(gw, '/broker/go-auth/user', { username: sensor.id, password: sensor.secret, clientid: 'someone-else' })).status).toBe(403)
    expect(await emqxAuthz(sensor.id, 'publish', `anju/v1/dev/${sensor.id}/motion`)).toBe('allow')
    expect((await post(gw, '/broker/emqx/authz', { clientid: other.id, username: sensor.id, topic: `anju/v1/dev/${sensor.id}/motion`, action: 'publish' })).json).toEqual({ result: 'deny' })
  })

  it('locks out an id guessed from one address: the 11th attempt is refused even with the right secret, as at the embedded broker', async () => {
    const { homeId } = await seedHome(gw)
    const target = await addDevice(gw, homeId)
    const guesser = { peerhost: '198.51.100.66' }
    for (let i = 0; i < 10; i++) expect((await emqxAuthn({ id: target.id, secret: `guess-${i}` }, guesser)).json).toEqual({ result: 'deny', is_superuser: false })
    expect((await emqxAuthn(target, guesser)).json).toEqual({ result: 'deny', is_superuser: false })
    expect(await metricValue(gw.metrics.registry.metrics(), 'anju_broker_auth_decisions_total', { check: 'emqx_authn', result: 'deny', reason: 'auth_rate_limited' })).toBe(1)
    // The device itself, from its own address, still gets in.
    expect((await emqxAuthn(target, { peerhost: '192.0.2.77' })).json).toEqual({ result: 'allow', is_superuser: false })
  })

  it('refuses a revoked device at connect and at every publish and subscribe', async () => {
    const { homeId } = await seedHome(gw)
    const gone = await addDevice(gw, homeId)
    expect(await emqxAuthz(gone.id, 'publish', `anju/v1/dev/${gone.id}/motion`)).toBe('allow')
    expect((await gw.api('POST', `/api/v1/devices/${gone.id}/revoke`)).status).toBe(200)
    expect((await emqxAuthn(gone)).json).toEqual({ result: 'deny', is_superuser: false })
    expect((await post(gw, '/broker/go-auth/user', { username: gone.id, password: gone.secret, clientid: gone.id })).status).toBe(403)
    expect(await emqxAuthz(gone.id, 'publish', `anju/v1/dev/${gone.id}/motion`)).toBe('deny')
    expect(await emqxAuthz(gone.id, 'subscribe', `anju/v1/dev/${gone.id}/config`)).toBe('deny')
    expect(await goAcl(gone.id, 2, `anju/v1/dev/${gone.id}/motion`)).toBe(403)
  })

  it('applies the device protocol ACL (EMQX authz)', async () => {
    const own = (ch: string) => `anju/v1/dev/${sensor.id}/${ch}`
    expect(await emqxAuthz(sensor.id, 'publish', own('motion'))).toBe('allow')
    expect(await emqxAuthz(sensor.id, 'publish', own('status'))).toBe('allow')
    expect(await emqxAuthz(sensor.id, 'publish', own('config'))).toBe('deny')
    expect(await emqxAuthz(sensor.id, 'publish', `anju/v1/dev/${other.id}/motion`)).toBe('deny')
    expect(await emqxAuthz(sensor.id, 'publish', `anju/v1/hub/${hub.id}/kitchen`)).toBe('deny')
    for (const filter of ['#', '$SYS/#', 'anju/v1/dev/+/motion', `anju/v1/dev/${other.id}/config`, `$share/g/${own('config')}`]) {
      expect(await emqxAuthz(sensor.id, 'subscribe', filter), filter).toBe('deny')
    }
    expect(await emqxAuthz(sensor.id, 'subscribe', own('config'))).toBe('allow')
    expect(await emqxAuthz(hub.id, 'publish', `anju/v1/hub/${hub.id}/kitchen-pir`)).toBe('allow')
    expect(await emqxAuthz(hub.id, 'publish', `anju/v1/hub/${hub.id}/bridge/state`)).toBe('allow')
    expect(await emqxAuthz(hub.id, 'subscribe', `anju/v1/hub/${hub.id}/#`)).toBe('allow')
    expect(await emqxAuthz(hub.id, 'subscribe', 'anju/v1/hub/#')).toBe('deny')
    expect(await emqxAuthz(hub.id, 'publish', `anju/v1/dev/${sensor.id}/motion`)).toBe('deny')
    // Carers' push topics are the gateway's: no device publishes or subscribes there.
    for (const id of [sensor.id, hub.id]) {
      expect(await emqxAuthz(id, 'publish', 'anju/v1/push/fam-1')).toBe('deny')
      expect(await emqxAuthz(id, 'subscribe', 'anju/v1/push/#')).toBe('deny')
      expect(await goAcl(id, 4, 'anju/v1/push/fam-1')).toBe(403)
    }
  })

  it('applies the same ACL to go-auth access bits (a device reads only what it may subscribe to)', async () => {
    const own = (ch: string) => `anju/v1/dev/${sensor.id}/${ch}`
    expect(await goAcl(sensor.id, 2, own('motion'))).toBe(200)
    expect(await goAcl(sensor.id, 2, `anju/v1/dev/${other.id}/motion`)).toBe(403)
    expect(await goAcl(sensor.id, 4, own('config'))).toBe(200)
    expect(await goAcl(sensor.id, 1, own('config'))).toBe(200)
    for (const filter of ['#', '$SYS/#', 'anju/v1/dev/+/motion']) expect(await goAcl(sensor.id, 4, filter), filter).toBe(403)
    expect(await goAcl(sensor.id, 1, `anju/v1/dev/${other.id}/motion`)).toBe(403)
    // Read-write needs both: a sensor may publish its motion but not receive it.
    expect(await goAcl(sensor.id, 3, own('motion'))).toBe(403)
    expect(await goAcl(hub.id, 3, `anju/v1/hub/${hub.id}/kitchen-pir`)).toBe(200)
  })

  it('recognises the workers\' account by its password: a superuser for go-auth, allow-all for EMQX', async () => {
    const worker = { clientid: 'anju-worker-1', username: 'anju-worker', peerhost: '192.0.2.20' }
    expect((await post(gw, '/broker/emqx/authn', { ...worker, password: WORKER_PASSWORD })).json).toEqual({ result: 'allow', is_superuser: true })
    expect((await post(gw, '/broker/emqx/authn', { ...worker, password: 'wrong' })).json).toEqual({ result: 'deny', is_superuser: false })
    expect((await post(gw, '/broker/go-auth/user', { username: 'anju-worker', password: WORKER_PASSWORD, clientid: 'anju-worker-2' })).status).toBe(200)
    expect((await post(gw, '/broker/go-auth/superuser', { username: 'anju-worker' })).status).toBe(200)
    expect((await post(gw, '/broker/go-auth/superuser', { username: sensor.id })).status).toBe(403)
    expect((await post(gw, '/broker/emqx/authz', { clientid: 'anju-worker-1', username: 'anju-worker', topic: '$share/anju/anju/v1/#', action: 'subscribe' })).json).toEqual({ result: 'allow' })
    expect((await post(gw, '/broker/emqx/authz', { clientid: 'anju-worker-1', username: 'anju-worker', topic: `anju/v1/dev/${sensor.id}/config`, action: 'publish' })).json).toEqual({ result: 'allow' })
    // MQTT push to apps goes out over the workers' account.
    expect((await post(gw, '/broker/emqx/authz', { clientid: 'anju-worker-1', username: 'anju-worker', topic: 'anju/v1/push/fam-1', action: 'publish' })).json).toEqual({ result: 'allow' })
    expect((await post(gw, '/broker/go-auth/acl', { username: 'anju-worker', clientid: 'anju-worker-1', topic: 'anju/v1/push/fam-1', acc: 2 })).status).toBe(200)
  })

  it('answers 401 without the token, or with a wrong one, and decides nothing', async () => {
    const before = await decisions(gw)
    const body = { clientid: sensor.id, username: sensor.id, password: sensor.secret }
    for (const authorization of [null, 'Bearer wrong-token-wrong-token-wrong', `Bearer ${TOKEN}x`, TOKEN, `Bearer ${gw.adminToken}`, 'Basic ' + Buffer.from('anju:wrong').toString('base64')]) {
      for (const path of ROUTES) {
        const res = await post(gw, path, body, authorization)
        expect(res.status, `${path} ${authorization ?? 'none'}`).toBe(401)
        expect(res.text).not.toContain(sensor.secret)
      }
    }
    expect(await decisions(gw)).toBe(before)
    // go-auth cannot set headers: the token as the password of the URL's user info arrives as Basic.
    const basic = 'Basic ' + Buffer.from(`anju:${TOKEN}`).toString('base64')
    expect((await post(gw, '/broker/go-auth/user', { username: sensor.id, password: sensor.secret, clientid: sensor.id }, basic)).status).toBe(200)
  })

  it('answers 400, never 5xx, to bodies that are not what the brokers send', async () => {
    const bad: Array<[string, unknown]> = [
      ['/broker/emqx/authn', {}],
      ['/broker/emqx/authn', { clientid: 1, username: sensor.id, password: sensor.secret }],
      ['/broker/emqx/authn', 'clientid=x&username=x&password=x'],
      ['/broker/emqx/authz', { clientid: sensor.id, username: sensor.id, topic: 'a', action: 'all' }],
      ['/broker/emqx/authz', { clientid: sensor.id, username: sensor.id, action: 'publish' }],
      ['/broker/go-auth/user', { username: sensor.id, clientid: sensor.id }],
      ['/broker/go-auth/superuser', { username: ['x'] }],
      ['/broker/go-auth/acl', { username: sensor.id, clientid: sensor.id, topic: 'a', acc: 5 }],
      ['/broker/go-auth/acl', { username: sensor.id, clientid: sensor.id, topic: 'a', acc: '2' }],
      ['/broker/go-auth/acl', '{"username":'],
      ['/broker/emqx/authn', { clientid: sensor.id, username: sensor.id, password: 'x'.repeat(70_000) }]
    ]
    for (const [path, body] of bad) {
      const res = await post(gw, path, body)
      expect(res.status, `${path} ${JSON.stringify(body).slice(0, 80)}`).toBe(400)
    }
  })

  it('answers in exactly the documented formats', async () => {
    const authn = await emqxAuthn(other)
    expect(authn.contentType).toMatch(/^application\/json/)
    expect(authn.text).toBe('{"result":"allow","is_superuser":false}')
    expect((await emqxAuthn(other, { password: 'nope' })).text).toBe('{"result":"deny","is_superuser":false}')
    const worker = await post(gw, '/broker/emqx/authn', { clientid: 'w', username: 'anju-worker', password: WORKER_PASSWORD, peerhost: '192.0.2.21' })
    expect(worker.text).toBe('{"result":"allow","is_superuser":true}')
    const authz = await post(gw, '/broker/emqx/authz', { clientid: other.id, username: other.id, topic: `anju/v1/dev/${other.id}/motion`, action: 'publish' })
    expect(authz.contentType).toMatch(/^application\/json/)
    expect(authz.text).toBe('{"result":"allow"}')
    expect((await post(gw, '/broker/emqx/authz', { clientid: other.id, username: other.id, topic: '#', action: 'subscribe' })).text).toBe('{"result":"deny"}')
    const user = await post(gw, '/broker/go-auth/user', { username: other.id, password: other.secret, clientid: other.id })
    expect([user.status, user.text]).toEqual([200, '{"ok":true}'])
    const denied = await post(gw, '/broker/go-auth/user', { username: other.id, password: 'nope', clientid: other.id })
    expect([denied.status, denied.text]).toEqual([403, '{"ok":false,"error":"bad_secret"}'])
    const acl = await post(gw, '/broker/go-auth/acl', { username: other.id, clientid: other.id, topic: '#', acc: 4 })
    expect([acl.status, acl.text]).toEqual([403, '{"ok":false,"error":"acl"}'])
    const none = await post(gw, '/broker/emqx/authn', {}, null)
    expect([none.status, none.json]).toEqual([401, { error: 'UNAUTHORIZED', message: 'missing or wrong broker auth token' }])
  })
})

describe('external broker auth backend switched off', () => {
  it('has no routes when no token is configured', async () => {
    const gw = await startGateway()
    try {
      for (const path of ROUTES) expect((await post(gw, path, { username: 'x' }, `Bearer ${TOKEN}`)).status, path).toBe(404)
    } finally {
      await gw.stop()
    }
  })
})
