// WeCom (企业微信) group robot: POST {"msgtype":"text","text":{"content":...}} to the robot's webhook URL,
// which carries its key (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...). The answer is HTTP
// 200 with {"errcode":0,"errmsg":"ok"} on success; any other errcode is a failure (developer.work.weixin.qq.com
// "群机器人配置说明"). Text content is limited to 2048 bytes of UTF-8.
import { humanText, type Channel, type Delivery } from '../channel.ts'
import type { UrlAddress } from '../contact-channels.ts'
import { checkErrcode, postJson } from './http-post.ts'

export const WECOM_MAX_BYTES = 2048

/** Cut text to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8 (text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text
  let out = ''
  let bytes = 0
  for (const ch of text) {
    const n = Buffer.byteLength(ch)
    if (bytes + n > maxBytes - 3) break
    out += ch
    bytes += n
  }
  return out + '…'
}

export function wecomChannel (deps: { timeoutMs: number }): Channel<UrlAddress> {
  return {
    name: 'wecom',
    async send (d: Delivery, address: UrlAddress, signal: AbortSignal) {
      const body = { msgtype: 'text', text: { content: truncateUtf8(humanText(d), WECOM_MAX_BYTES) } }
      const res = await postJson(address.url, body, { timeoutMs: deps.timeoutMs, signal })
      checkErrcode('wecom', res.json)
    }
  }
}
