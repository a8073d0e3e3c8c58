// Fuzzing the MQTT side of a real gateway: seeded mutations of valid CONNECT / PUBLISH / SUBSCRIBE
// packets over raw TCP (unauthenticated and after a valid CONNECT), random byte streams, and a fixed set
// of hostile payloads from an authenticated sensor and hub (deep JSON, huge payloads and topics, invalid
// UTF-8, NUL). Properties: the process stays up and keeps accepting connections; an honest sensor that
// stays connected throughout still gets its motion and status ingested; nothing invalid reaches device
// health or telemetry, and every invalid payload is counted once in anju_messages_dropped_total.
// The seed is printed; ANJU_FUZZ_SEED=<n> replays a run. ANJU_LONG_FAULTS=1 runs 10× the cases.
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mulberry32 } from '../../device-sim/prng.ts'
import type { ActivityEvent } from '../../src/events.ts'
import type { Device } from '../../src/registry-schemas.ts'
import { closed, connectDevice, waitFor } from '../helpers/mqtt-client.ts'
import { addDevice, seedHome, startGateway, type Credentials, type TestGateway } from '../helpers/start-gateway.ts'
import { PINGREQ, connectPacket, fuzzSeed, inBatches, mutate, publishPacket, randomBytes, rawPublish, rawSession, subscribePacket } from './fuzz-raw-mqtt.ts'

const LONG = process.env.ANJU_LONG_FAULTS === '1'
const CASES = LONG ? 2000 : 300
const SEED = fuzzSeed()
console.log(`fuzz-mqtt: seed ${SEED} (replay with ANJU_FUZZ_SEED=${SEED}), ${CASES} cases per family`)

const sum = async (c: { get: () => Promise<{ values: Array<{ value: number }> }> }): Promise<number> =>
  (await c.get()).values.reduce((n, v) => n + v.value, 0)

describe('MQTT fuzzing against a real gateway', () => {
  let gw: TestGateway
  let honest: Credentials
  let attacker: Credentials
  let hub: Credentials
  let honestClient: MqttClient
  let honestDropped = false
  const activity: ActivityEvent[] = []
  let telemetry: Database.Database

  beforeAll(async () => {
    // The per-client rate limit and the guessing limits (mutated CONNECTs carry wrong secrets and unknown
    // ids, all from 127.0.0.1) are other tests' business; here they would only turn fuzz cases into
    // CONNACK 3. The payload limit is at its maximum so deep JSON reaches the JSON parser.
    gw = await startGateway({ mqtt: { ratePerSecond: 100_000, rateBurst: 100_000, maxPayloadBytes: 1_048_576, authFailuresPerAddress: 1_000_000, authFailuresPerDevice: 1_000_000 } })
    const a = await seedHome(gw)
    const b = await seedHome(gw)
    honest = await addDevice(gw, a.homeId)
    attacker = await addDevice(gw, b.homeId)
    hub = await addDevice(gw, b.homeId, 'hub')
    gw.bus.on('activity', (e) => activity.push(e))
    honestClient = await connectDevice(gw.urls.mqtt, honest)
    honestClient.on('close', () => { honestDropped = true })
    telemetry = new Database(join(gw.dataDir, 'telemetry.db'), { readonly: true, fileMustExist: true })
  })

  afterAll(async () => {
    telemetry?.close()
    honestClient?.end(true)
    await gw?.stop()
  })

  const device = async (id: string): Promise<Device> => (await gw.api<Device>('GET', `/api/v1/devices/${id}`)).body
  const healthRows = (id: string): number => (telemetry.prepare('SELECT COUNT(*) AS n FROM device_health WHERE device = ?').get(id) as { n: number }).n
  const activityRows = (home: string): number => (telemetry.prepare('SELECT COUNT(*) AS n FROM activity WHERE home = ?').get(home) as { n: number }).n

  it('counts every hostile payload of an authenticated sensor and hub as dropped and stores none of it', async () => {
    // A known good state first, so "unchanged" means something.
    const client = await connectDevice(gw.urls.mqtt, attacker)
    await client.publishAsync(`anju/v1/dev/${attacker.id}/status`, '{"battery":80,"rssi":-60,"fw":"good-1"}', { qos: 1 })
    await waitFor(async () => (await device(attacker.id)).fw === 'good-1' && healthRows(attacker.id) > 0, 10_000, 'the good status stored')
    const before = { device: await device(attacker.id), health: healthRows(attacker.id), activity: activityRows(attacker.homeId), dropped: await sum(gw.metrics.dropped), in: await sum(gw.metrics.messagesIn) }

    const deepArray = '['.repeat(100_000) + ']'.repeat(100_000)
    const deepObject = '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000)
    const motion = `anju/v1/dev/${attacker.id}/motion`
    const status = `anju/v1/dev/${attacker.id}/status`
    const hostile: Array<[string, string | Buffer]> = [
      [motion, 'not json'], [motion, ''], [motion, '{"motion":'], [motion, '[]'], [motion, 'null'], [motion, '"motion"'],
      [motion, '{"motion":"yes"}'], [motion, '{"motion":1}'], [motion, '{"motion":true,"ts":"soon"}'], [motion, '{"motion":true,"ts":1e999}'],
      [motion, '{"__proto__":{"motion":true}}'], [motion, '{"constructor":{"prototype":{"motion":true}}}'],
      [motion, deepArray], [motion, deepObject], [motion, Buffer.from([0xff, 0xfe, 0x00, 0x7b])],
      [motion, Buffer.alloc(1_048_577, 0x20)],
      [status, '{"battery":"full"}'], [status, '{"battery":-1}'], [status, '{"battery":101}'], [status, '{"battery":1e999}'], [status, '{"rssi":9999}'],
      [status, `{"fw":"${'x'.repeat(65)}"}`], [status, '{"fw":""}'], [status, '{"online":"no"}'], [status, '{"battery":50,"fw":7}'], [status, deepArray]
    ]
    for (const [topic, payload] of hostile) await client.publishAsync(topic, payload, { qos: 1 })
    // A hub: Zigbee2MQTT friendly names with NUL, wildcards-free but 65k long, and bad sensor states.
    const hubClient = await connectDevice(gw.urls.mqtt, hub)
    const hubBase = `anju/v1/hub/${hub.id}`
    const hubHostile: Array<[string, string]> = [
      [`${hubBase}/pir\u0000x`, '{"occupancy":true}'], [`${hubBase}/${'n'.repeat(60_000)}`, '{"occupancy":true}'],
      [`${hubBase}/bridge/state`, '{"state":"maybe"}'], [`${hubBase}/pir_1`, '{"occupancy":"yes"}'], [`${hubBase}/pir_1`, deepArray]
    ]
    for (const [topic, payload] of hubHostile) await hubClient.publishAsync(topic, payload, { qos: 1 })
    hubClient.end(true)

    // Each was answered with PUBACK (the client stayed connected) and counted exactly once.
    expect(client.connected).toBe(true)
    expect(await sum(gw.metrics.dropped) - before.dropped).toBe(hostile.length + hubHostile.length)
    expect(await sum(gw.metrics.messagesIn)).toBe(before.in)
    await new Promise((resolve) => setTimeout(resolve, 300)) // two health flushes (stateFlushMs 100)
    const after = await device(attacker.id)
    expect({ battery: after.battery, rssi: after.rssi, fw: after.fw, online: after.online }).toEqual({ battery: 80, rssi: -60, fw: 'good-1', online: true })
    expect(Object.values(after.dropped).reduce((n, v) => n + v, 0) - Object.values(before.device.dropped).reduce((n, v) => n + v, 0)).toBe(hostile.length)
    expect(healthRows(attacker.id)).toBe(before.health)
    expect(activityRows(attacker.homeId)).toBe(before.activity)
    // No hub sensor was registered from a malformed friendly name.
    const hubSensors = (await gw.api<Device[]>('GET', '/api/v1/devices')).body.filter((d) => d.hubId === hub.id)
    expect(hubSensors.every((d) => d.friendlyName === 'pir_1')).toBe(true)
    client.end(true)

    // A packet over the broker's packet limit (payload limit + 64 KiB) is not buffered to the end: the
    // connection is closed at its header, and the drop is counted against the device once.
    const big = await connectDevice(gw.urls.mqtt, attacker)
    const gone = new Promise<void>((resolve) => big.once('close', () => resolve()))
    big.publish(motion, Buffer.concat([Buffer.from('{"motion":true,"pad":"'), Buffer.alloc(2_000_000, 0x61), Buffer.from('"}')]), { qos: 1 })
    await gone
    big.end(true)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect((await device(attacker.id)).dropped.oversize).toBe((before.device.dropped.oversize ?? 0) + 2)
    expect(activityRows(attacker.homeId)).toBe(before.activity)
  })

  it(`survives ${CASES} mutated CONNECTs and random byte streams from unauthenticated sockets`, async () => {
    const rnd = mulberry32(SEED)
    const valid = [connectPacket(null), connectPacket(attacker), connectPacket({ id: attacker.id, secret: 'wrong' }), connectPacket(attacker, { will: { topic: `anju/v1/dev/${attacker.id}/status`, payload: Buffer.from('{"online":false}'), qos: 1, retain: false } })]
    const cases = Array.from({ length: CASES }, (_, i) => i % 5 === 4 ? randomBytes(rnd, 1 + Math.floor(rnd() * 512)) : mutate(rnd, valid[i % valid.length] as Buffer))
    let refusedOrClosed = 0
    await inBatches(cases, 16, async (bytes) => {
      const s = await rawSession(gw.ports.mqtt, bytes, [PINGREQ], { idleMs: 200 })
      if (s.closed || s.packets.some((p) => p.cmd === 'connack' && p.returnCode !== 0)) refusedOrClosed++
    })
    console.log(`fuzz-mqtt: ${refusedOrClosed}/${CASES} mutated connects refused or closed by the broker`)
    expect(refusedOrClosed).toBeGreaterThan(CASES / 4)
  })

  it(`survives ${CASES} mutated PUBLISH / SUBSCRIBE packets after a valid CONNECT`, async () => {
    const rnd = mulberry32(SEED ^ 0x5eed)
    const own = `anju/v1/dev/${attacker.id}`
    const valid = [
      publishPacket(`${own}/motion`, '{"motion":true}'), publishPacket(`${own}/status`, '{"battery":80}'), publishPacket(`${own}/motion`, '{"motion":false}', 0),
      subscribePacket(`${own}/config`), subscribePacket('#'), publishPacket(`anju/v1/dev/${honest.id}/motion`, '{"motion":true}')
    ]
    const special = [
      rawPublish(Buffer.from([...Buffer.from(`${own}/mot`), 0xc3, 0x28, ...Buffer.from('ion')]), Buffer.from('{"motion":true}')), // invalid UTF-8 [MQTT-1.5.3-1]
      rawPublish(Buffer.from(`${own}/motion\u0000`), Buffer.from('{"motion":true}')),
      rawPublish(Buffer.from(`${own}/${'x'.repeat(65_000)}`), Buffer.from('{"motion":true}')),
      rawPublish(Buffer.alloc(0), Buffer.from('{"motion":true}'))
    ]
    const cases = [...special, ...Array.from({ length: CASES }, (_, i) => mutate(rnd, valid[i % valid.length] as Buffer))]
    // One device id = one session at a time (a second CONNECT with the id would take the first over).
    await inBatches(cases, 1, async (bytes) => {
      const s = await rawSession(gw.ports.mqtt, connectPacket(attacker), [bytes, PINGREQ], { awaitConnack: true, idleMs: 150 })
      expect(s.packets[0]?.cmd, 'every session starts with CONNACK 0').toBe('connack')
    })
    // The attacker is still a normal device afterwards: no stuck session, no cooldown.
    const again = await connectDevice(gw.urls.mqtt, attacker)
    again.end(true)
  })

  it('keeps the honest sensor connected and ingested, and the broker accepting new clients', async () => {
    expect(honestDropped, 'the honest sensor was never disconnected').toBe(false)
    const seen = activity.length
    await honestClient.publishAsync(`anju/v1/dev/${honest.id}/motion`, '{"motion":true}', { qos: 1 })
    await honestClient.publishAsync(`anju/v1/dev/${honest.id}/status`, '{"battery":77,"fw":"honest-2"}', { qos: 1 })
    await waitFor(() => activity.slice(seen).some((e) => e.deviceId === honest.id), 5000, 'the honest motion on the bus')
    await waitFor(async () => (await device(honest.id)).fw === 'honest-2', 5000, 'the honest status in the registry')
    await waitFor(() => activityRows(honest.homeId) > 0, 5000, 'the honest motion in telemetry')
    const health = await fetch(`${gw.urls.http}/healthz`)
    expect(health.status).toBe(200)
    const fresh = await connectDevice(gw.urls.mqtt, honest, { clientId: honest.id })
    await closed(honestClient) // taken over by the fresh session: the broker still runs its normal path
    fresh.end(true)
  })
})
