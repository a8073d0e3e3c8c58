// Pairing: the screen shows a six-digit code, the village clerk types it into the console, and the
// screen receives its own revocable token. Until then (and without ever pairing) a screen shows public
// village content. The code is kept while it is valid, so leaving and coming back shows the same one.
import type { Ctx, Screen } from '../ctx.ts'
import { h, type El } from '../dom.ts'
import { hhmm } from '../time.ts'
import { btn, screenTitle } from '../ui.ts'

interface Session { code: string, pairingId: string, expiresAt: number }
let session: Session | null = null
let timer: ReturnType<typeof setTimeout> | null = null
let requesting = false
let message = ''
let active = false
const POLL_MS = 3000
const RETRY_MS = 5000

function schedule (ctx: Ctx, ms: number): void {
  if (timer) clearTimeout(timer)
  timer = setTimeout(() => { timer = null; step(ctx) }, ms)
}

function fail (ctx: Ctx, status: number): void {
  // 429: the gateway limits codes per address (a whole village may share one); wait longer then.
  message = status === 429 ? '请求太频繁,稍后自动重试…' : '网络不通,正在重试…'
  ctx.rerender()
  schedule(ctx, status === 429 ? 6 * RETRY_MS : RETRY_MS)
}

/** One step of the loop: get a code if there is none (or it expired), else ask whether it was entered. */
function step (ctx: Ctx): void {
  if (!active || requesting || ctx.isPaired()) return
  requesting = true
  // Expiry is the gateway's call (`expired` from the status poll), not this box's clock, which may be off.
  if (!session) {
    ctx.api('POST', 'pair/start', {}, (err, res) => {
      requesting = false
      if (!active) return
      const b = res.body as Session | null
      if (err || res.status !== 200 || !b || !b.code) { fail(ctx, res.status); return }
      session = { code: b.code, pairingId: b.pairingId, expiresAt: b.expiresAt }
      message = ''
      ctx.rerender()
      schedule(ctx, POLL_MS)
    })
    return
  }
  const s = session
  ctx.api('GET', 'pair/' + encodeURIComponent(s.pairingId), undefined, (err, res) => {
    requesting = false
    if (!active) return
    const b = res.body as { state?: string, token?: string } | null
    if (err || !b || res.status !== 200) { if (res.status === 404) session = null; fail(ctx, res.status); return }
    if (b.state === 'paired' && b.token) { session = null; message = ''; ctx.paired(b.token); return }
    if (b.state === 'expired') { session = null; schedule(ctx, 0); return }
    if (message) { message = ''; ctx.rerender() }
    schedule(ctx, POLL_MS)
  })
}

export const pairingScreen: Screen = {
  live: true,
  leave () { active = false; if (timer) { clearTimeout(timer); timer = null } },
  render (ctx: Ctx): El {
    const s = ctx.state
    if (ctx.isPaired()) {
      return h('div', { class: 'page pairing' }, [
        screenTitle('本机已绑定'),
        h('p', { class: 'big-text' }, s && s.household ? '本机已绑定:' + s.household.homeLabel : '本机已绑定本户'),
        btn(ctx, 'pair-home', 'btn', '返回首页', () => ctx.back())
      ])
    }
    if (!active) { active = true; schedule(ctx, 0) }
    const valid = session
    return h('div', { class: 'page pairing' }, [
      screenTitle('绑定本户', '绑定后本机可显示本户的看护信息和提醒'),
      h('div', { id: 'pair-code', class: 'pair-code' }, valid ? valid.code : '······'),
      h('p', { class: 'big-text' }, '请村文书在管理后台输入此配对码'),
      h('p', null, valid ? '配对码 ' + hhmm(valid.expiresAt) + ' 前有效,过期后自动换新码' : (message || '正在获取配对码…')),
      valid && message ? h('p', { class: 'meta' }, message) : null,
      btn(ctx, 'pair-home', 'btn', '返回首页', () => ctx.back())
    ])
  }
}
