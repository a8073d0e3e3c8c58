/// <reference lib="dom" />
// Small shared pieces: a data-loading hook, form fields with real <label>s, status messages that screen
// readers announce, and Chinese formats for time, money and the closed set of enums the API returns.
import type { ComponentChildren } from 'preact'
import { useCallback, useEffect, useState } from 'preact/hooks'
import { ApiError } from './api.ts'
import { html } from './html.ts'

export interface Loaded<T> { data: T | null, error: string | null, loading: boolean, reload: () => void }

export function useLoad<T> (load: () => Promise<T>, deps: unknown[] = []): Loaded<T> {
  const [state, setState] = useState<{ data: T | null, error: string | null, loading: boolean }>({ data: null, error: null, loading: true })
  const [tick, setTick] = useState(0)
  useEffect(() => {
    let live = true
    setState((s) => ({ ...s, loading: true }))
    load().then((data) => { if (live) setState({ data, error: null, loading: false }) },
      (err: unknown) => { if (live) setState({ data: null, error: errorText(err), loading: false }) })
    return () => { live = false }
  }, [...deps, tick])
  return { ...state, reload: useCallback(() => setTick((t) => t + 1), []) }
}

export function errorText (err: unknown): string {
  if (err instanceof ApiError) return err.message
  return '网络错误，请检查连接后重试'
}

/** Runs an action, keeps its error and a busy flag (buttons disable so a double tap does not post twice). */
export function useAction (): { busy: boolean, error: string | null, run: (fn: () => Promise<unknown>) => Promise<boolean>, setError: (e: string | null) => void } {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const run = async (fn: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true); setError(null)
    try { await fn(); return true } catch (err) { setError(errorText(err)); return false } finally { setBusy(false) }
  }
  return { busy, error, run, setError }
}

export const Status = ({ loading, error }: { loading?: boolean, error?: string | null }): unknown => html`
  ${loading === true ? html`<p class="muted" role="status">加载中…</p>` : null}
  ${error != null ? html`<p class="error" role="alert">${error}</p>` : null}`

export const Ok = ({ text }: { text: string | null }): unknown => (text === null ? null : html`<p class="ok" role="status">${text}</p>`)

let fieldSeq = 0
/** A labelled control; the id ties <label for> to the input so clicks and screen readers both work. */
export function Field ({ label, children, hint }: { label: string, children: (id: string) => ComponentChildren, hint?: string }): unknown {
  const [id] = useState(() => 'f' + String(++fieldSeq))
  return html`<div class="field"><label for=${id}>${label}</label>${children(id)}${hint !== undefined ? html`<small class="muted">${hint}</small>` : null}</div>`
}

export const Card = ({ title, children, actions }: { title?: string, children: ComponentChildren, actions?: ComponentChildren }): unknown => html`
  <section class="card">${title !== undefined ? html`<header class="card-head"><h2>${title}</h2>${actions}</header>` : null}${children}</section>`

const pad = (n: number): string => (n < 10 ? '0' : '') + String(n)
/** Village time (China Standard Time, UTC+8, no DST) whatever the PC's own zone. */
export function fmtTime (ms: number | null | undefined): string {
  if (ms == null) return '—'
  const d = new Date(ms + 8 * 3600_000)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`
}
export function fmtAgo (ms: number | null | undefined, now = Date.now()): string {
  if (ms == null) return '从未'
  const m = Math.round((now - ms) / 60_000)
  if (m < 1) return '刚刚'
  if (m < 60) return `${m} 分钟前`
  if (m < 48 * 60) return `${Math.round(m / 60)} 小时前`
  return `${Math.round(m / 1440)} 天前`
}
/** Integer fen to "1,234.50". */
export function yuan (cents: number): string {
  const s = (Math.abs(cents) / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return (cents < 0 ? '-' : '') + s
}

/** Who acted, in words: the actor ids the gateway records (user:<id>, tv:<homeId>, system) mean little to a grid worker. */
export function actorName (actor: string | null, me: string): string {
  if (actor === null) return '—'
  if (actor === 'user:' + me) return '我'
  if (actor === 'system') return '系统'
  if (actor.startsWith('tv:')) return '老人（电视）'
  if (actor.startsWith('link:') || actor.startsWith('ack:')) return '家属（短信链接）'
  return actor.replace(/^user:/, '用户 ')
}

export const ROLE: Record<string, string> = { admin: '管理员', clerk: '村文书', reviewer: '民主理财小组', grid_worker: '网格员', family: '家属' }
export const ALERT_TYPE: Record<string, string> = { inactivity: '长时间无活动', not_up: '早上未起床', home_offline: '家中设备离线', low_battery: '电量低', sensor_silent: '传感器无信号' }
export const ALERT_STATE: Record<string, string> = { open: '待处理', acknowledged: '已确认', resolved: '已处理' }
export const OUTCOME: Record<string, string> = {
  resident_ok: '老人平安', false_alarm: '误报', helped_at_home: '上门帮助', hospital: '送医', deceased: '已故', device_fixed: '设备已修复', other: '其他'
}
export const ALERT_ACTION: Record<string, string> = { opened: '告警产生', updated: '更新', escalated: '升级通知', acknowledged: '已确认', resolved: '已处理', auto_resolved: '自动解除' }
export const STATEMENT_STATUS: Record<string, string> = { draft: '草稿', submitted: '待审核', returned: '已退回', published: '已公开', superseded: '已更正' }
export const PERIOD_KIND: Record<string, string> = { month: '月度', quarter: '季度', year: '年度' }
