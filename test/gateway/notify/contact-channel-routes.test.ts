// PUT/GET /api/v1/contacts/:id/channels: validated, whole-set replacement, credentials never returned.
import { afterEach, describe, expect, it } from 'vitest'
import { seedHome, startGateway, type TestGateway } from '../../helpers/start-gateway.ts'

const open: Array<() => Promise<unknown>> = []
afterEach(async () => { for (const close of open.splice(0).reverse()) await close() })

async function gatewayWithContact (): Promise<TestGateway> {
  const gw = await startGateway()
  open.push(() => gw.stop())
  const { homeId } = await seedHome(gw)
  await gw.api('POST', '/api/v1/contacts', { id: 'fam-1', homeId, name: '王小明', phone: '13800000001', role: 'family' })
  return gw
}

describe('contact channel routes', () => {
  it('stores a contact\'s channels and returns them without robot keys or secrets', async () => {
    const gw = await gatewayWithContact()
    const put = await gw.api('PUT', '/api/v1/contacts/fam-1/channels', [
      { channel: 'wecom', config: { url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET-KEY' } },
      { channel: 'dingtalk', enabled: false, config: { url: 'https://oapi.dingtalk.com/robot/send?access_token=SECRET-TOKEN', secret: 'SECsecretsecret' } },
      { channel: 'sms', config: {} }
    ])
    expect(put.status).toBe(200)
    const get = await gw.api('GET', '/api/v1/contacts/fam-1/channels')
    expect(get.body).toEqual(put.body)
    expect(get.body).toEqual([
      { channel: 'dingtalk', enabled: false, config: { url: 'https://oapi.dingtalk.com/robot/send?access_token=***', secret: '***' } },
      { channel: 'sms', enabled: true, config: {} },
      { channel: 'wecom', enabled: true, config: { url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***' } }
    ])
    expect(JSON.stringify(get.body)).not.toMatch(/SECRET|SECsecret/)
    // The stored address is the real one.
    expect(gw.notify.contactChannels.resolve('fam-1', 'wecom')).toEqual({ url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET-KEY' })
    expect(gw.notify.contactChannels.resolve('fam-1', 'dingtalk')).toBeNull()
    expect(gw.notify.contactChannels.resolve('fam-1', 'sms')).toEqual({ to: '13800000001' })
  })

  it('refuses unknown contacts, SSE, duplicate channels and non-HTTP URLs; deleting the contact deletes its channels', async () => {
    const gw = await gatewayWithContact()
    expect((await gw.api('PUT', '/api/v1/contacts/nobody/channels', [])).status).toBe(404)
    expect((await gw.api('PUT', '/api/v1/contacts/fam-1/channels', [{ channel: 'sse', config: {} }])).status).toBe(400)
    expect((await gw.api('PUT', '/api/v1/contacts/fam-1/channels', [{ channel: 'mqtt' }, { channel: 'mqtt' }])).status).toBe(400)
    expect((await gw.api('PUT', '/api/v1/contacts/fam-1/channels', [{ channel: 'webhook', config: { url: 'file:///etc/passwd' } }])).status).toBe(400)
    expect((await gw.api('PUT', '/api/v1/contacts/fam-1/channels', [{ channel: 'mqtt' }])).status).toBe(200)
    expect((await gw.api('DELETE', '/api/v1/contacts/fam-1')).status).toBe(204)
    expect(gw.db.prepare('SELECT COUNT(*) AS n FROM contact_channels').get()).toEqual({ n: 0 })
  })
})
