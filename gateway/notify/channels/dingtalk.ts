// DingTalk (钉钉) custom robot with the 加签 (signature) security setting: the webhook URL (which holds
// access_token) gets `timestamp` (unix ms) and `sign` query parameters, where
//   sign = urlencode(base64(HMAC-SHA256(key = secret, message = timestamp + "\n" + secret)))
// (open.dingtalk.com "自定义机器人安全设置"); DingTalk refuses a timestamp more than an hour off. The body
// is {"msgtype":"text","text":{"content":...}}; the answer {"errcode":0,"errmsg":"ok"} means sent.
import { createHmac } from 'node:crypto'
import type { Clock } from '../../../src/clock.ts'
import { humanText, type Channel, type Delivery } from '../channel.ts'
import type { DingTalkAddress } from '../contact-channels.ts'
import { checkErrcode, postJson } from './http-post.ts'

/** The base64 signature before URL encoding (URLSearchParams encodes it: + → %2B, / → %2F, = → %3D). */
export function dingtalkSign (secret: string, timestamp: number): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64')
}

export function dingtalkSignedUrl (url: string, secret: string, timestamp: number): string {
  const signed = new URL(url)
  signed.searchParams.set('timestamp', String(timestamp))
  signed.searchParams.set('sign', dingtalkSign(secret, timestamp))
  return signed.toString()
}

export function dingtalkChannel (deps: { clock: Clock, timeoutMs: number }): Channel<DingTalkAddress> {
  return {
    name: 'dingtalk',
    async send (d: Delivery, address: DingTalkAddress, signal: AbortSignal) {
      const url = dingtalkSignedUrl(address.url, address.secret, deps.clock.now())
      const res = await postJson(url, { msgtype: 'text', text: { content: humanText(d) } }, { timeoutMs: deps.timeoutMs, signal })
      checkErrcode('dingtalk', res.json)
    }
  }
}
