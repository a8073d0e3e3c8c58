/// <reference lib="dom" />
// Every call to /console/api goes through here: JSON in and out, the CSRF header on every write, and a
// 401 anywhere sends the user back to the login page (a session may expire while a page is open).
export interface Scope { villageIds: string[], gridIds: string[], homeIds: string[] }
export type Role = 'admin' | 'clerk' | 'reviewer' | 'grid_worker' | 'family'
export interface User { id: string, username: string, displayName: string, role: Role, scope: Scope, mustChangePassword: boolean }
export interface Session { user: User, csrfToken: string }

export class ApiError extends Error {
  constructor (readonly status: number, readonly code: string, message: string, readonly body: unknown) { super(message) }
}

const BASE = 'api'
let csrf = ''
let onUnauthorized: () => void = () => {}

export function setCsrf (token: string): void { csrf = token }
export function whenUnauthorized (fn: () => void): void { onUnauthorized = fn }

export async function call<T> (method: string, path: string, body?: unknown, raw?: { type: string, data: BodyInit }): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (method !== 'GET') headers['x-csrf-token'] = csrf
  let payload: BodyInit | undefined
  if (raw !== undefined) { headers['content-type'] = raw.type; payload = raw.data } else if (body !== undefined) {
    headers['content-type'] = 'application/json'
    payload = JSON.stringify(body)
  }
  const res = await fetch(BASE + path, { method, headers, body: payload, credentials: 'same-origin' })
  const text = await res.text()
  let data: unknown = null
  try { data = text === '' ? null : JSON.parse(text) } catch { data = text }
  const d = (data ?? {}) as { error?: string, code?: string, message?: string, details?: Array<{ path: string, message: string }> }
  const code = d.error ?? d.code ?? String(res.status)
  // A wrong *current* password is a 401 too, but the session is still good: only a lost session signs out.
  if (res.status === 401 && code !== 'BAD_CREDENTIALS') onUnauthorized()
  if (!res.ok) throw new ApiError(res.status, code, messageFor(res.status, code, d.message, d.details), data)
  return data as T
}

const MESSAGES: Record<string, string> = {
  BAD_CREDENTIALS: '用户名或密码错误',
  NOT_SIGNED_IN: '登录已过期，请重新登录',
  FORBIDDEN: '没有权限执行此操作',
  CSRF: '页面已过期，请刷新后重试',
  PASSWORD_CHANGE_REQUIRED: '请先修改一次性密码',
  RATE_LIMITED: '尝试次数过多，请稍后再试',
  NOT_FOUND: '未找到，可能已被删除或不在您的管辖范围',
  PAIRING_CODE_NOT_FOUND: '没有电视显示这个配对码（可能已过期），请核对电视上的数字',
  REFERENCED: '仍被其他记录引用，无法删除'
}

function messageFor (status: number, code: string, message: string | undefined, details?: Array<{ path: string, message: string }>): string {
  if (code === 'WEAK_PASSWORD') return '新密码太弱：至少 10 位、不能包含用户名、不能与当前密码相同'
  const known = MESSAGES[code]
  if (known !== undefined) return known
  if (status === 429) return MESSAGES.RATE_LIMITED as string
  if (status >= 500) return '服务器出错，请稍后再试'
  // Validation and conflict messages come from the server in English; show them rather than hide why.
  const why = details !== undefined && details.length > 0 ? details.map((x) => x.path + ' ' + x.message).join('；') : message
  return (status === 409 ? '操作冲突：' : '输入有误：') + (why ?? String(status))
}

export const get = <T>(path: string): Promise<T> => call<T>('GET', path)
export const post = <T>(path: string, body: unknown = {}): Promise<T> => call<T>('POST', path, body)
export const put = <T>(path: string, body: unknown): Promise<T> => call<T>('PUT', path, body)
export const patch = <T>(path: string, body: unknown): Promise<T> => call<T>('PATCH', path, body)
export const del = <T>(path: string): Promise<T> => call<T>('DELETE', path)

export const q = (params: Record<string, string | undefined>): string => {
  const s = Object.keys(params).filter((k) => params[k] !== undefined && params[k] !== '')
    .map((k) => encodeURIComponent(k) + '=' + encodeURIComponent(params[k] as string)).join('&')
  return s === '' ? '' : '?' + s
}

/** Per-row errors as the API reports them (zod issues with path [row, field] or messages "row N: …"). */
export function rowErrors (err: unknown): Map<number, string[]> {
  const out = new Map<number, string[]>()
  if (!(err instanceof ApiError)) return out
  const b = err.body as { errors?: Array<{ row: number, column?: string | null, reason: string }>, rows?: Array<{ row: number, column?: string | null, reason?: string, errors?: string[], message?: string }>, issues?: Array<{ path?: unknown, message: string }>, details?: Array<{ path?: unknown, message: string }>, message?: string } | null
  const add = (row: number, msg: string): void => { const list = out.get(row) ?? []; list.push(msg); out.set(row, list) }
  for (const r of b?.errors ?? []) add(r.row, (r.column != null ? r.column + '：' : '') + r.reason)
  for (const r of b?.rows ?? []) {
    if (r.reason !== undefined) add(r.row, (r.column != null ? r.column + '：' : '') + r.reason)
    for (const m of r.errors ?? (r.message !== undefined ? [r.message] : [])) add(r.row, m)
  }
  for (const i of b?.issues ?? b?.details ?? []) {
    // zod issue paths are arrays ([2, 'date']); the gateway's validation details are pointers ('/entries/2/date').
    const path = Array.isArray(i.path) ? i.path : typeof i.path === 'string' ? i.path.split('/').map((x) => (/^\d+$/.test(x) ? Number(x) : x)) : []
    const idx = path.find((p) => typeof p === 'number')
    const m = /row (\d+)/.exec(i.message)
    if (typeof idx === 'number') add(idx + 1, i.message); else if (m !== null) add(Number(m[1]), i.message)
  }
  if (out.size === 0 && typeof b?.message === 'string') {
    for (const part of b.message.split(/;\s*|\n/)) { const m = /row (\d+)/.exec(part); if (m !== null) add(Number(m[1]), part) }
  }
  return out
}
