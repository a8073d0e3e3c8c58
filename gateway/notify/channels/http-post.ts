// One JSON POST for the HTTP channels. Errors thrown from here end up in outbox.last_error and the logs,
// so they never carry the URL (robot URLs hold their keys) nor a response body beyond a short, cleaned
// excerpt.

export interface PostOptions {
  headers?: Record<string, string>
  timeoutMs: number
  signal: AbortSignal
  /** The raw body, when the caller already serialised it (it signed these exact bytes). */
  rawBody?: string
}

export interface PostResult { status: number, json: unknown }

export async function postJson (url: string, body: unknown, options: PostOptions): Promise<PostResult> {
  const raw = options.rawBody ?? JSON.stringify(body)
  let res: Response
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...options.headers },
      body: raw,
      redirect: 'error',
      signal: AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)])
    })
  } catch (err) {
    throw new Error(describeFetchError(err))
  }
  const text = await res.text().catch(() => '')
  let json: unknown = null
  try { json = text === '' ? null : JSON.parse(text) } catch { json = null }
  if (res.status < 200 || res.status > 299) throw new Error(`HTTP ${res.status}${excerpt(text)}`)
  return { status: res.status, json }
}

/** `fetch failed` alone says nothing; its cause has the useful code (ECONNREFUSED, ETIMEDOUT, ...). */
function describeFetchError (err: unknown): string {
  const e = err as Error & { cause?: { code?: string } }
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return e.name === 'TimeoutError' ? 'timed out' : 'aborted'
  return `request failed: ${e.cause?.code ?? e.name ?? 'error'}`
}

function excerpt (text: string): string {
  const clean = scrub(text).replace(/\s+/g, ' ').trim().slice(0, 120)
  return clean === '' ? '' : `: ${clean}`
}

/** Remove anything that looks like a URL or a key=value credential from text bound for logs and the db. */
export function scrub (text: string): string {
  return text.replace(/https?:\/\/\S+/g, '<url>').replace(/\b(key|access_token|token|sign|secret)=[^&\s"]+/gi, '$1=<redacted>')
}

/** WeCom and DingTalk answer HTTP 200 with `errcode` ≠ 0 on failure (bad key, rate limit, keyword). */
export function checkErrcode (service: string, json: unknown): void {
  const answer = json as { errcode?: unknown, errmsg?: unknown } | null
  if (answer === null || typeof answer !== 'object' || answer.errcode === undefined) throw new Error(`${service}: unexpected answer`)
  if (answer.errcode !== 0) throw new Error(`${service} errcode ${String(answer.errcode)}: ${scrub(String(answer.errmsg ?? '')).slice(0, 120)}`)
}
