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
  if (res.status === 401 && path !== '/session') onUnauthorized()
  if (!res.ok) {
    const d = (data ?? {}) as { error?: string, code?: string, message?: string }
    throw new ApiError(res.status, d.code ?? d.error ?? String(res.status), messageFor(res.status, d.message), data)
  }
  return data as T
}

function messageFor (status: number, message: string | undefined): string {
  if (status === 429) return '尝试次数过多，请稍后再试'
  if (status === 403) return '没有权限执行此操作'
  if (status === 404) return '未找到，可能已被删除'
  if (status >= 500) return '服务器出错，请稍后再试'
  return message ?? '请求失败（' + String(status) + '）'
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
  const b = err.body as { errors?: Array<{ row: number, column?: string | null, reason: string }>, rows?: Array<{ row: number, errors?: string[], message?: string }>, issues?: Array<{ path?: unknown[], message: string }>, details?: Array<{ path?: unknown[], message: string }>, message?: string } | null
  const add = (row: number, msg: string): void => { const list = out.get(row) ?? []; list.push(msg); out.set(row, list) }
  for (const r of b?.errors ?? []) add(r.row, (r.column != null ? r.column + '：' : '') + r.reason)
  for (const r of b?.rows ?? []) for (const m of r.errors ?? (r.message !== undefined ? [r.message] : [])) add(r.row, m)
  for (const i of b?.issues ?? b?.details ?? []) {
    const idx = (i.path ?? []).find((p) => typeof p === 'number')
    const m = /row (\d+)/.exec(i.message)
    if (typeof idx === 'number') add(idx + 1, i.message); else if (m !== null) add(Number(m[1]), i.message)
  }
  if (out.size === 0 && typeof b?.message === 'string') {
    for (const part of b.message.split(/;\s*|\n/)) { const m = /row (\d+)/.exec(part); if (m !== null) add(Number(m[1]), part) }
  }
  return out
}
