// The elder's home status on an acknowledge-link page (GET /a/:token): the same household summary the
// home's own TV and the console show (gateway/tv/household.ts), as plain HTML for a phone — no script, the
// 24-hour activity row as CSS bars. Who may see it is decided here (statusAccess); the route audits it.
import type { AlertType } from '../../../src/alerts.ts'
import { formatClock } from '../../../src/escalation/rules.ts'
import type { Contact, Home } from '../../../src/registry-schemas.ts'
import type { TvHousehold } from '../../../src/tv/tv-api.ts'
import { chinaDayStart } from '../../tv/household.ts'

/**
 * Who the link was made for, as far as the home's status goes:
 * - `family`: a family contact of this very home — the status, and the residents' names;
 * - `carer`: the grid worker of the home's grid, or village duty of its village (the people the ladder
 *   sends out to visit) — the status, never a name;
 * - null: anyone else (a contact since moved to another grid or home, a volunteer) — the alert only.
 * Decided against the registry at every view, so moving a contact away ends what their old links show.
 */
export type StatusAccess = 'family' | 'carer'

export function statusAccess (contact: Contact, home: Home): StatusAccess | null {
  switch (contact.role) {
    case 'family': return contact.homeId === home.id ? 'family' : null
    case 'grid_worker': return contact.gridId === home.gridId ? 'carer' : null
    case 'village_duty': return contact.villageId === home.villageId ? 'carer' : null
    default: return null
  }
}

/** A home label with every resident's name masked to its first character ("王秀英家" → "王**家"). */
export function maskNames (label: string, names: string[]): string {
  let out = label
  for (const n of names.filter((s) => s.length > 0).sort((a, b) => b.length - a.length)) {
    out = out.split(n).join(`${n.slice(0, 1)}**`)
  }
  return out
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

const HOUR = 3_600_000
const CST_OFFSET = 8 * HOUR
const LEVELS = 8

/** Same words as the TV's care screen (tv-app/src/screens/care.ts). */
const CARE_TEXT: Record<TvHousehold['care']['status'], string> = {
  normal: '活动正常',
  quiet: '今天活动偏少',
  alert: '正在联系家人和网格员',
  away: '外出中',
  no_data: '暂时没有数据'
}

/** "5月3日" in China time. */
function chinaDate (t: number): string {
  const d = new Date(t + CST_OFFSET)
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日`
}

/** "09:42" today, "5月1日 09:42" on another day (China time). */
export function whenText (t: number, now: number): string {
  const today = chinaDayStart(now)
  return t >= today && t < today + 24 * HOUR ? formatClock(t) : `${chinaDate(t)} ${formatClock(t)}`
}

/** Styles of the status block; the page puts them into its one <style> (style-src 'unsafe-inline'). */
export const STATUS_CSS = '.st{margin-top:28px;padding-top:12px;border-top:2px solid #ddd}h2{font-size:24px;margin:8px 0}' +
  '.care{font-size:24px}.care-normal b{color:#2e7d32}.care-quiet b,.care-no_data b{color:#ef6c00}.care-alert b{color:#c62828}.care-away b{color:#1565c0}' +
  '.bars{display:flex;align-items:flex-end;gap:2px;height:72px;padding:4px;background:#fff;border:1px solid #ddd;border-radius:8px}' +
  '.bars span{flex:1;background:#43a047;border-radius:2px 2px 0 0;min-width:0}.bars span.later{background:none}.bars span.now{background:#1e88e5}' +
  '.axis{display:flex;justify-content:space-between;font-size:14px;color:#777}ul{padding-left:1.2em;margin:8px 0}' +
  Array.from({ length: LEVELS + 1 }, (_, i) => `.b${i}{height:${i === 0 ? 2 : Math.round(i / LEVELS * 100)}%}`).join('')

function bars (hourly: number[], now: number): string {
  const max = Math.max(1, ...hourly)
  const current = Math.floor((now - chinaDayStart(now)) / HOUR)
  const cells = hourly.map((n, i) => {
    const level = n === 0 ? 0 : Math.max(1, Math.round(n / max * LEVELS))
    const cls = `b${level}${i === current ? ' now' : ''}${i > current ? ' later' : ''}`
    return `<span class="${cls}" title="${i}时 ${n}次"></span>`
  }).join('')
  return `<div class="bars" role="img" aria-label="今天每小时的活动">${cells}</div>` +
    '<div class="axis"><span>0时</span><span>6时</span><span>12时</span><span>18时</span><span>24时</span></div>'
}

export interface StatusView {
  household: TvHousehold
  access: StatusAccess
  /** The residents' names: shown to family only. */
  residentNames: string[]
  typeNames: Record<AlertType, string>
  now: number
  /** When the link stops working, unix ms. */
  linkExpiresAt: number
}

/** The status block below the alert. */
export function statusHtml (v: StatusView): string {
  const { household: h, now } = v
  const names = v.access === 'family' ? v.residentNames.filter((n) => n.length > 0) : []
  const title = names.length > 0 ? `${names.join('、')} · 家中情况` : '家中情况'
  const parts = [`<section class="st" id="home-status"><h2>${esc(title)}</h2>`]
  if (!h.monitored) {
    parts.push('<p class="care care-no_data"><b>本户未安装看护设备</b></p>')
  } else {
    const last = h.care.lastActivityAt === null ? '' : ` · 最近活动 ${whenText(h.care.lastActivityAt, now)}`
    parts.push(`<p class="care care-${h.care.status}"><b>${CARE_TEXT[h.care.status]}</b>${last}</p>`)
    parts.push('<p class="s">今天的活动（每小时）</p>', bars(h.care.hourly, now))
  }
  parts.push(h.care.awayUntil === null
    ? '<p>外出模式：未开启</p>'
    : `<p>外出模式：已开启，至 ${whenText(h.care.awayUntil, now)}（期间不因无活动提醒）</p>`)
  const open = h.alerts.filter((a) => a.state !== 'resolved')
  parts.push(open.length === 0
    ? '<p class="s">本户没有未结束的提醒。</p>'
    : `<p>未结束的提醒：</p><ul>${open.map((a) => `<li>${esc((v.typeNames as Record<string, string>)[a.type] ?? '提醒')}（${whenText(a.openedAt, now)}）：${esc(a.statusText)}</li>`).join('')}</ul>`)
  parts.push(`<p class="s">更新于 ${formatClock(now)}，刷新页面可查看最新情况。此链接 ${whenText(v.linkExpiresAt, now)} 失效。</p></section>`)
  return parts.join('')
}
