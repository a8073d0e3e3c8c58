// SMS through a configurable HTTP provider (or the operator's own SMS gateway): POST {"to", "text"} with
// `Authorization: Bearer <token>`; any 2xx answer means the provider accepted the message. Chinese SMS
// providers (Aliyun, Tencent Cloud) need templates approved in advance: run a small adapter service in
// front of them that takes this request.
import { humanText, type Channel, type Delivery } from '../channel.ts'
import type { SmsAddress } from '../contact-channels.ts'
import { postJson } from './http-post.ts'

export function smsChannel (deps: { url: string, token: string | undefined, timeoutMs: number }): Channel<SmsAddress> {
  return {
    name: 'sms',
    async send (d: Delivery, address: SmsAddress, signal: AbortSignal) {
      await postJson(deps.url, { to: address.to, text: humanText(d), id: d.id }, {
        timeoutMs: deps.timeoutMs,
        signal,
        headers: deps.token === undefined ? {} : { authorization: `Bearer ${deps.token}` }
      })
    }
  }
}
