// The packet size guard: aedes would buffer a packet of any declared size (up to 256 MB), even before
// CONNECT is authenticated; the gateway closes such a connection at the packet's header.
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PacketSizeTracker, maxPacketBytes } from '../../../gateway/broker/packet-size-guard.ts'
import { metricValue } from '../../helpers/mqtt-client.ts'
import { addDevice, seedHome, startGateway, type TestGateway } from '../../helpers/start-gateway.ts'
import { connectDevice } from '../../helpers/mqtt-client.ts'
import { encodeLength as remainingLength } from '../../helpers/mqtt-bytes.ts'

describe('PacketSizeTracker', () => {
  it('follows packets split anywhere across chunks and refuses the first one over the limit', () => {
    const small = Buffer.concat([Buffer.from([0x30]), remainingLength(300), Buffer.alloc(300, 1)])
    const big = Buffer.concat([Buffer.from([0x30]), remainingLength(2000), Buffer.alloc(10)])
    const stream = Buffer.concat([small, small, big])
    const tracker = new PacketSizeTracker(1000)
    // Byte by byte, so the remaining length is split over chunks too.
    const results = [...stream].map((b) => tracker.feed(Buffer.from([b])))
    expect(results.indexOf(false)).toBe(small.length * 2 + 2) // the second length byte of the big packet
  })

  it('accepts zero-length packets (PINGREQ) and a packet exactly at the limit', () => {
    const tracker = new PacketSizeTracker(500)
    expect(tracker.feed(Buffer.from([0xc0, 0x00, 0xc0, 0x00]))).toBe(true)
    expect(tracker.feed(Buffer.concat([Buffer.from([0x30]), remainingLength(500), Buffer.alloc(500)]))).toBe(true)
    expect(tracker.feed(Buffer.from([0xc0, 0x00]))).toBe(true)
  })
})

describe('oversized MQTT packets at the gateway', () => {
  let gw: TestGateway
  beforeAll(async () => { gw = await startGateway() })
  afterAll(async () => { await gw.stop() })

  it('closes an unauthenticated socket that declares a 200 MB CONNECT, after far less than that', async () => {
    const socket = connect(gw.ports.mqtt, '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    let written = 0
    let closed = false
    socket.on('error', () => {})
    const done = new Promise<void>((resolve) => socket.once('close', () => { closed = true; resolve() }))
    socket.write(Buffer.concat([Buffer.from([0x10]), remainingLength(200_000_000)]))
    const chunk = Buffer.alloc(64 * 1024, 0x41)
    // Keep streaming until the gateway hangs up (or 64 MB, which would mean the guard did not act).
    while (!closed && written < 64 * 1024 * 1024) {
      if (!socket.write(chunk)) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), done])
      written += chunk.length
    }
    await done
    expect(written).toBeLessThan(16 * 1024 * 1024)
    expect(await metricValue(gw.metrics.registry.metrics(), 'anju_messages_dropped_total', { reason: 'oversize' })).toBeGreaterThanOrEqual(1)
  })

  it('still drops an oversize payload under the packet limit without closing the device', async () => {
    const { homeId } = await seedHome(gw)
    const device = await addDevice(gw, homeId)
    const client = await connectDevice(gw.urls.mqtt, device)
    expect(maxPacketBytes(gw.config.mqtt.maxPayloadBytes)).toBeGreaterThan(20_000)
    await client.publishAsync(`anju/v1/dev/${device.id}/status`, Buffer.alloc(20_000, 0x20), { qos: 1 })
    expect(client.connected).toBe(true)
    await client.endAsync()
  })
})
