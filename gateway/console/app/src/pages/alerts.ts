/// <reference lib="dom" />
// 告警: the open alerts of my grids newest-first, and one alert's detail with its timeline (who was told,
// when, who answered), 确认 (acknowledge) and 处理 (resolve with an outcome and a note). Grid workers do
// this on phones, so the actions are full-width buttons with large touch targets.
import { useEffect, useState } from 'preact/hooks'
import { get, post, q, type Session } from '../api.ts'
import { html } from '../html.ts'
import { ALERT_ACTION, ALERT_STATE, ALERT_TYPE, Card, Field, OUTCOME, Status, actorName, fmtAgo, fmtTime, useAction, useLoad } from '../ui.ts'

export interface AlertRow {
  id: string, homeId: string, homeLabel?: string, residentName?: string, type: string, state: string, rung: number, since: number, openedAt: number,
  acknowledgedAt: number | null, acknowledgedBy: string | null, resolvedAt: number | null, resolvedBy: string | null, outcome: string | null, note: string | null
}
interface AlertEvent { at: number, actor: string, action: string, rung: number | null, detail: string | null }
interface Notification { id: number, at: number, recipientName: string | null, recipientRole: string | null, channel: string, deliveredAt: number | null, failedAt: number | null }
type AlertDetail = AlertRow & { events: AlertEvent[], notifications?: Notification[] }

const REFRESH_MS = 30_000
const home = (a: AlertRow): string => a.homeLabel ?? a.residentName ?? a.homeId

export function Alerts ({ session, args }: { session: Session, args: string[] }): unknown {
  return args[0] !== undefined ? html`<${AlertView} id=${args[0]} me=${session.user.id} canResolve=${session.user.role !== 'family'} />` : html`<${AlertList} />`
}

function AlertList (): unknown {
  const [state, setState] = useState('active')
  const list = useLoad(() => get<AlertRow[]>('/alerts' + q({ state: state === 'active' ? 'unresolved' : state })), [state])
  // A phone left open on this page must show a new alert without a tap: re-fetch every 30 s while visible.
  useEffect(() => {
    const t = setInterval(() => { if (document.visibilityState === 'visible') list.reload() }, REFRESH_MS)
    return () => clearInterval(t)
  }, [])
  // Open and acknowledged alerts both still need someone; resolved ones are history.
  const rows = (list.data ?? []).filter((a) => state !== 'active' || a.state !== 'resolved').sort((a, b) => b.openedAt - a.openedAt)
  return html`<${Card} title="告警" actions=${html`<button onClick=${list.reload}>刷新</button>`}>
    <div class="tabs" role="group" aria-label="筛选">
      ${[['active', '未结束'], ['resolved', '已处理']].map(([k, label]) => html`<button aria-pressed=${state === k} onClick=${() => setState(k as string)}>${label}</button>`)}
    </div>
    <${Status} loading=${list.loading && list.data === null} error=${list.error} />
    ${list.data !== null && rows.length === 0 ? html`<p class="muted">没有告警。</p>` : null}
    <ul class="alert-list">${rows.map((a) => html`<li>
      <a class=${'alert-item state-' + a.state} href=${'#/alerts/' + encodeURIComponent(a.id)} data-alert=${a.id}>
        <strong>${ALERT_TYPE[a.type] ?? a.type}</strong>
        <span>${home(a)}</span>
        <span class="badge">${ALERT_STATE[a.state] ?? a.state}</span>
        <small class="muted">${fmtTime(a.openedAt)}（${fmtAgo(a.openedAt)}）</small>
      </a></li>`)}</ul>
  <//>`
}

/** Family acknowledge ("I'm on it"); closing with a visit outcome is for staff who went (the API agrees). */
function AlertView ({ id, me, canResolve }: { id: string, me: string, canResolve: boolean }): unknown {
  const alert = useLoad(() => get<AlertDetail>('/alerts/' + encodeURIComponent(id)), [id])
  const act = useAction()
  const [outcome, setOutcome] = useState('')
  const [note, setNote] = useState('')
  const a = alert.data
  const ack = (): void => { void act.run(async () => { await post('/alerts/' + encodeURIComponent(id) + '/ack', {}); alert.reload() }) }
  const resolve = (e: Event): void => {
    e.preventDefault()
    if (outcome === '') { act.setError('请选择处理结果'); return }
    void act.run(async () => { await post('/alerts/' + encodeURIComponent(id) + '/resolve', { outcome, note: note.trim() === '' ? null : note.trim() }); alert.reload() })
  }
  return html`<p><a href="#/alerts">← 返回告警列表</a></p>
    <${Status} loading=${alert.loading && a === null} error=${alert.error} />
    ${a === null ? null : html`<${Card} title=${(ALERT_TYPE[a.type] ?? a.type) + ' · ' + home(a)}>
      <dl class="facts">
        <dt>状态</dt><dd data-alert-state=${a.state}>${ALERT_STATE[a.state] ?? a.state}</dd>
        <dt>发生于</dt><dd>${fmtTime(a.since)}</dd>
        <dt>告警时间</dt><dd>${fmtTime(a.openedAt)}</dd>
        ${a.acknowledgedAt !== null ? html`<dt>确认</dt><dd>${actorName(a.acknowledgedBy, me)} · ${fmtTime(a.acknowledgedAt)}</dd>` : null}
        ${a.resolvedAt !== null ? html`<dt>处理结果</dt><dd>${OUTCOME[a.outcome ?? ''] ?? a.outcome}${a.note !== null ? '：' + a.note : ''}（${actorName(a.resolvedBy, me)} · ${fmtTime(a.resolvedAt)}）</dd>` : null}
      </dl>
      ${act.error !== null ? html`<p class="error" role="alert">${act.error}</p>` : null}
      ${a.state === 'open' ? html`<button class="primary big block" data-action="ack" disabled=${act.busy} onClick=${ack}>确认（我去处理）</button>` : null}
      ${a.state !== 'resolved' && canResolve ? html`<form class="resolve" onSubmit=${resolve}>
        <${Field} label="处理结果">${(fid: string) => html`<select id=${fid} name="outcome" required value=${outcome} onChange=${(e: Event) => setOutcome((e.target as HTMLSelectElement).value)}>
          <option value="">请选择…</option>
          ${Object.keys(OUTCOME).map((k) => html`<option value=${k}>${OUTCOME[k]}</option>`)}
        </select>`}<//>
        <${Field} label="情况说明">${(fid: string) => html`<textarea id=${fid} name="note" rows="3" maxlength="500" value=${note} onInput=${(e: Event) => setNote((e.target as HTMLTextAreaElement).value)}></textarea>`}<//>
        <button class="primary big block" type="submit" data-action="resolve" disabled=${act.busy}>处理完成，关闭告警</button>
      </form>` : null}
    <//>
    <${Card} title="时间线"><${Timeline} alert=${a} me=${me} /><//>
  `}`
}

const RECIPIENT: Record<string, string> = { family: '家属', grid_worker: '网格员', volunteer: '民情联络员', village_duty: '村值班' }
const CHANNEL: Record<string, string> = { tv: '电视', sse: '电视', sms: '短信', webhook: '推送', voice: '电话' }

/** Alert events and the notifications sent for it, in one list by time: who was told, when, who answered. */
function Timeline ({ alert, me }: { alert: AlertDetail, me: string }): unknown {
  const items = [
    ...alert.events.map((ev) => ({ at: ev.at, key: 'e' + String(ev.at) + ev.action, title: ALERT_ACTION[ev.action] ?? ev.action,
      who: actorName(ev.actor, me) + (ev.rung !== null && ev.rung >= 0 ? ' · 第 ' + String(ev.rung) + ' 级' : ''), detail: ev.detail })),
    ...(alert.notifications ?? []).map((n) => ({ at: n.at, key: 'n' + String(n.id), title: '通知' + (RECIPIENT[n.recipientRole ?? ''] ?? '') + (n.recipientName !== null ? ' ' + n.recipientName : ''),
      who: CHANNEL[n.channel] ?? n.channel, detail: n.deliveredAt !== null ? '已送达 ' + fmtTime(n.deliveredAt) : n.failedAt !== null ? '发送失败' : '发送中' }))
  ].sort((x, y) => x.at - y.at)
  return html`<ol class="timeline">${items.map((it) => html`<li key=${it.key}>
    <time>${fmtTime(it.at)}</time> <strong>${it.title}</strong> <span class="muted">${it.who}</span>
    ${it.detail !== null ? html`<div>${it.detail}</div>` : null}</li>`)}</ol>`
}
