// XMLHttpRequest with a bearer token and a hard timeout: Chrome 38-era WebViews have no fetch, and a
// request that never answers must not leave the screen waiting forever.
import { win } from './dom.ts'

export interface Resp { status: number, body: unknown }
/** err is 'network' (no answer, timeout) or null; HTTP errors arrive as a status. */
export type Done = (err: string | null, res: Resp) => void

export const API = 'api/' // relative to /tv/, so the app also works behind a path prefix

export function request (method: string, path: string, token: string | null, body: unknown, done: Done, timeoutMs?: number): void {
  const xhr = new win.XMLHttpRequest()
  let finished = false
  const finish = (err: string | null, res: Resp): void => {
    if (finished) return
    finished = true
    clearTimeout(timer)
    done(err, res)
  }
  // A timer of our own too: some old WebViews ignore xhr.timeout.
  const timer = setTimeout(() => { try { xhr.abort() } catch { /* already done */ } finish('network', { status: 0, body: null }) }, timeoutMs || 10000)
  xhr.onreadystatechange = () => {
    if (xhr.readyState !== 4) return
    xhr.onreadystatechange = null
    if (xhr.status === 0) { finish('network', { status: 0, body: null }); return }
    let parsed: unknown = null
    try { parsed = xhr.responseText ? JSON.parse(xhr.responseText) : null } catch { parsed = null }
    finish(null, { status: xhr.status, body: parsed })
  }
  try {
    xhr.open(method, API + path, true)
    if (token) xhr.setRequestHeader('Authorization', 'Bearer ' + token)
    if (body !== undefined) xhr.setRequestHeader('Content-Type', 'application/json')
    xhr.send(body === undefined ? null : JSON.stringify(body))
  } catch {
    finish('network', { status: 0, body: null })
  }
}

/** True for the 401s that mean "this screen's token is no good": forget it, show pairing. */
export function isBadToken (res: Resp): boolean {
  return res.status === 401
}
