// MQTT push on a real gateway: a contact with the mqtt channel gets the message on
// anju/v1/push/<contactId> at QoS 1. No app credentials exist yet and the device ACL refuses every
// device a subscription there, so the receiving end is an in-process aedes subscription (what an
// authorised app client would see), and a real device client is shown to be refused.
import { getEventListeners } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { Aedes, type AedesPublishPacket } from 'aedes'
import { aedesPublisher } from '../../../gateway/notify/channels/mqtt-push.ts'
import { addDevice, seedHome, startGateway } from '../../helpers/start-gateway.ts'
import { connectDevice } from '../../helpers/mqtt-client.ts'
import { eventually } from './local-receiver.ts'

const open: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => { for (const close of open.splice(0).reverse()) await close() })

describe('MQTT push', () => {
  it('publishes a contact\'s notification on its push topic at QoS 1; devices cannot subscribe there', async () => {
    const gw = await startGateway()
    open.push(() => gw.stop())
    const { homeId } = await seedHome(gw)
    await gw.api('POST', '/api/v1/contacts', { id: 'fam-1', homeId, name: '王小明', phone: '13800000001', role: 'family' })
    expect((await gw.api('PUT', '/api/v1/contacts/fam-1/channels', [{ channel: 'mqtt' }])).status).toBe(200)

    const received: AedesPublishPacket[] = []
    await new Promise<void>((resolve) => gw.broker.aedes.subscribe('anju/v1/push/fam-1', (packet, done) => { received.push(packet); done() }, resolve))

    gw.notify.sink.enqueue({ alertId: 'al-1', recipient: 'fam-1', channel: 'webhook', kind: 'alert', text: '山下庄 12号 已 3 小时没有活动', data: { homeId } })
    const [packet] = await eventually(() => received.length > 0 ? received : null, 2000, 'push message')
    expect(packet?.qos).toBe(1)
    expect(packet?.retain).toBe(false)
    expect(JSON.parse(String(packet?.payload))).toMatchObject({ kind: 'alert', alertId: 'al-1', text: '山下庄 12号 已 3 小时没有活动' })

    const device = await connectDevice(gw.urls.mqtt, await addDevice(gw, homeId))
    open.push(() => device.endAsync(true))
    const granted = await device.subscribeAsync('anju/v1/push/fam-1', { qos: 1 })
      .then((g) => g[0]?.qos, (err: { packet?: { granted?: number[] } }) => err.packet?.granted?.[0])
    expect(granted).toBe(128)
  })

  it('leaves no listener on the outbox\'s long-lived abort signal after each publish', async () => {
    const aedes = await Aedes.createBroker()
    open.push(() => new Promise<void>((resolve) => aedes.close(() => resolve())))
    const publish = aedesPublisher(aedes)
    const signal = new AbortController().signal
    for (let i = 0; i < 20; i++) await publish(`anju/v1/push/fam-${i}`, Buffer.from('{}'), signal)
    expect(getEventListeners(signal, 'abort')).toHaveLength(0)
    const aborted = new AbortController()
    aborted.abort()
    await expect(publish('anju/v1/push/fam-1', Buffer.from('{}'), aborted.signal)).rejects.toThrow('aborted')
  })
})
