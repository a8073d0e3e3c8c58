// The HTTP channels against local receivers: the generic webhook's signature verifies with the algorithm
// in docs/notifications.md; WeCom and DingTalk get their documented request shapes (and DingTalk's 加签);
// errcode ≠ 0 is a failure whose recorded error holds no robot key; SMS carries the bearer token.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { Notification } from '../../../src/alerts.ts'
import { eventually, startReceiver, type Answer, type LocalReceiver } from './local-receiver.ts'
import { openNotify, SECRET, type NotifyFixture } from './notify-fixture.ts'

const open: Array<() => Promise<unknown>> = []
afterEach(async () => { for (const close of open.splice(0).reverse()) await close() })

async function receiver (fallback?: Answer): Promise<LocalReceiver> {
  const r = await startReceiver(fallback)
  open.push(() => r.close())
  return r
}

function fixture (options: Parameters<typeof openNotify>[0] = {}): NotifyFixture {
  const fx = openNotify(options)
  open.push(() => fx.close())
  fx.notify.start()
  return fx
}

const message: Omit<Notification, 'recipient' | 'channel'> = {
  alertId: 'al-1', kind: 'alert', text: '【安居】山下庄 12号 王奶奶 自 07:10 起无活动', data: { homeId: 'h-1', rung: 1 }, ackUrl: 'https://anju.example.cn/ack/abc'
}

/** The receiver side, exactly as docs/notifications.md shows it. */
function verifyAnjuWebhook (secret: string, headers: Record<string, string | string[] | undefined>, rawBody: string, nowMs: number): boolean {
  const timestamp = String(headers['x-anju-timestamp'] ?? '')
  const signature = String(headers['x-anju-signature'] ?? '')
  if (!/^\d+$/.test(timestamp) || Math.abs(nowMs - Number(timestamp)) > 5 * 60_000) return false
  const expected = 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')
  return signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected))
}

async function delivered (fx: NotifyFixture, ids: number[]): Promise<void> {
  fx.time.advance(0)
  await eventually(() => ids.every((id) => fx.notify.outbox.store.get(id)?.deliveredAt), 3000, 'delivery')
}

describe('notification channels', () => {
  it('webhook: JSON body signed over timestamp and raw body; a replayed or altered request fails verification', async () => {
    const hook = await receiver()
    const fx = fixture()
    fx.notify.contactChannels.replace('fam-1', [{ channel: 'webhook', enabled: true, config: { url: `${hook.url}/anju` } }])
    const ids = fx.notify.enqueueFor('fam-1', message)
    await delivered(fx, ids)
    const req = hook.requests[0]!
    expect(req.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(JSON.parse(req.body)).toEqual({
      id: String(ids[0]), kind: 'alert', alertId: 'al-1', text: message.text, data: message.data, ackUrl: message.ackUrl, sentAt: fx.time.now()
    })
    expect(verifyAnjuWebhook(SECRET, req.headers, req.body, fx.time.now())).toBe(true)
    expect(verifyAnjuWebhook('another-secret-0123456789abcdefgh', req.headers, req.body, fx.time.now())).toBe(false)
    expect(verifyAnjuWebhook(SECRET, req.headers, req.body.replace('12号', '13号'), fx.time.now())).toBe(false)
    expect(verifyAnjuWebhook(SECRET, { ...req.headers, 'x-anju-timestamp': String(fx.time.now() + 1) }, req.body, fx.time.now())).toBe(false)
    expect(verifyAnjuWebhook(SECRET, req.headers, req.body, fx.time.now() + 10 * 60_000)).toBe(false)
  })

  it('WeCom robot: msgtype text with the ack link; errcode ≠ 0 is retried and the recorded error has no key', async () => {
    const robot = await receiver({ status: 200, body: { errcode: 0, errmsg: 'ok' } })
    robot.script = [{ status: 200, body: { errcode: 93000, errmsg: 'invalid webhook url, hint: [1] key=THE-ROBOT-KEY' } }]
    const fx = fixture()
    fx.notify.contactChannels.replace('fam-1', [{ channel: 'wecom', enabled: true, config: { url: `${robot.url}/cgi-bin/webhook/send?key=THE-ROBOT-KEY` } }])
    const [id] = fx.notify.enqueueFor('fam-1', message) as [number]
    fx.time.advance(0)
    const failed = await eventually(() => { const r = fx.notify.outbox.store.get(id); return r?.attempts === 1 ? r : null }, 3000, 'failure')
    expect(failed.lastError).toMatch(/^wecom errcode 93000/)
    expect(failed.lastError).not.toContain('THE-ROBOT-KEY')
    expect(JSON.stringify(fx.logs)).not.toContain('THE-ROBOT-KEY')
    await eventually(() => fx.time.nextAt !== null, 1000, 'retry timer')
    fx.time.advance(10_000)
    await eventually(() => fx.notify.outbox.store.get(id)?.deliveredAt, 3000, 'delivery')
    const req = robot.requests[1]!
    expect(req.url).toBe('/cgi-bin/webhook/send?key=THE-ROBOT-KEY')
    expect(JSON.parse(req.body)).toEqual({ msgtype: 'text', text: { content: `${message.text}\n确认收到：${message.ackUrl}` } })
  })

  it('DingTalk robot: timestamp and sign = urlencode(base64(HMAC-SHA256(secret, timestamp\\nsecret))) on the URL', async () => {
    const robot = await receiver({ status: 200, body: { errcode: 0, errmsg: 'ok' } })
    const secret = 'SECabcdef0123456789'
    const fx = fixture()
    fx.notify.contactChannels.replace('fam-1', [{ channel: 'dingtalk', enabled: true, config: { url: `${robot.url}/robot/send?access_token=TOKEN123`, secret } }])
    await delivered(fx, fx.notify.enqueueFor('fam-1', message))
    const req = robot.requests[0]!
    const url = new URL(req.url, robot.url)
    expect(url.pathname).toBe('/robot/send')
    expect(url.searchParams.get('access_token')).toBe('TOKEN123')
    expect(url.searchParams.get('timestamp')).toBe(String(fx.time.now()))
    const expected = createHmac('sha256', secret).update(`${fx.time.now()}\n${secret}`).digest('base64')
    expect(url.searchParams.get('sign')).toBe(expected)
    // On the wire the base64 is percent-encoded (+, / and = are not left raw).
    expect(req.url).toContain(`sign=${encodeURIComponent(expected)}`)
    expect(JSON.parse(req.body)).toEqual({ msgtype: 'text', text: { content: `${message.text}\n确认收到：${message.ackUrl}` } })
  })

  it('SMS: POST {to, text} with the bearer token to the provider; a contact with no channels configured gets SMS', async () => {
    const provider = await receiver({ status: 202, body: { queued: true } })
    const fx = fixture({ notify: { smsUrl: `${provider.url}/sms`, smsToken: 'sms-provider-token' } })
    await delivered(fx, fx.notify.enqueueFor('fam-1', message))
    const req = provider.requests[0]!
    expect(req.headers.authorization).toBe('Bearer sms-provider-token')
    expect(JSON.parse(req.body)).toMatchObject({ to: '13800000001', text: `${message.text}\n确认收到：${message.ackUrl}` })
  })

  it('a channel that is turned off is not used; a contact with none left waits on the default channel', () => {
    const fx = fixture()
    fx.notify.contactChannels.replace('fam-1', [{ channel: 'wecom', enabled: false, config: { url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' } }])
    expect(fx.notify.enqueueFor('fam-1', message)).toEqual([])
    fx.notify.sink.enqueue({ ...message, recipient: 'fam-1', channel: 'webhook' })
    expect(fx.db.prepare('SELECT recipient, channel FROM outbox').all()).toEqual([{ recipient: 'fam-1', channel: 'webhook' }])
    expect(fx.logs.some((l) => l.msg === 'recipient has no notification channel; queued on the default channel to wait for one')).toBe(true)
  })
})
