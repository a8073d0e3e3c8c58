// The InfluxDB 1.x HTTP API, as much as Anju needs: POST /write (line protocol, ms precision) and
// POST /query (InfluxQL, ms epochs). No client library: node-influx would add no buffer (it retries only
// network errors and 503s) and the v2 client cannot talk to 1.x's /write at all, so a keep-alive agent
// and two requests is the whole client. https://docs.influxdata.com/influxdb/v1.8/tools/api/
import http from 'node:http'
import https from 'node:https'

export interface InfluxHttpOptions {
  url: string
  database: string
  username?: string
  password?: string
  /** InfluxDB 2.x/3.x: the v1-compatible /query endpoint takes `Authorization: Token <token>`. */
  token?: string
  timeoutMs: number
}

/** Where batches of line protocol go: InfluxHttp (1.x /write) or Influx2Lines (2.x/3.x client). */
export interface LineSink {
  write(body: string): Promise<WriteResult>
}

export type WriteResult =
  | { ok: true }
  /** `poison`: InfluxDB refused the content itself (400: field type conflict, beyond retention, parse error); resending cannot help. */
  | { ok: false, poison: boolean, status: number, error: string }

export interface InfluxSeries {
  name: string
  tags?: Record<string, string>
  columns: string[]
  /** Absent when the series has no rows (SHOW CONTINUOUS QUERIES on a database without any). */
  values?: unknown[][]
}

interface QueryResponse {
  error?: string
  results?: Array<{ statement_id?: number, error?: string, series?: InfluxSeries[] }>
}

/** A string for an InfluxQL single-quoted literal ('...'): backslashes and quotes escaped. */
export function quoteString (value: string): string {
  return `'${value.replace(/[\\']/g, (c) => '\\' + c)}'`
}

/** An InfluxQL identifier in double quotes. */
export function quoteIdent (value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => '\\' + c)}"`
}

export class InfluxHttp implements LineSink {
  private readonly opts: InfluxHttpOptions
  private readonly base: URL
  private readonly agent: http.Agent
  private readonly auth: string | undefined

  constructor (opts: InfluxHttpOptions) {
    this.opts = opts
    this.base = new URL(opts.url)
    const Agent = this.base.protocol === 'https:' ? https.Agent : http.Agent
    this.agent = new Agent({ keepAlive: true, maxSockets: 8 })
    // Basic auth in a header, not u/p in the query string, so credentials never appear in URLs or logs.
    this.auth = opts.token !== undefined
      ? `Token ${opts.token}`
      : opts.username === undefined ? undefined : 'Basic ' + Buffer.from(`${opts.username}:${opts.password ?? ''}`).toString('base64')
  }

  /** POST line protocol. Never rejects: a network error or timeout is `{ ok: false, poison: false, status: 0 }`. */
  async write (body: string): Promise<WriteResult> {
    const path = `/write?db=${encodeURIComponent(this.opts.database)}&precision=ms`
    try {
      const res = await this.request(path, body, 'text/plain; charset=utf-8')
      if (res.status === 204) return { ok: true }
      return { ok: false, poison: res.status === 400, status: res.status, error: errorText(res.body) }
    } catch (err) {
      return { ok: false, poison: false, status: 0, error: (err as Error).message }
    }
  }

  /** Run InfluxQL (`;`-separated statements allowed); one result per statement. Throws on any error. */
  async query (q: string, options: { database?: boolean } = {}): Promise<InfluxSeries[][]> {
    const form = new URLSearchParams({ q, epoch: 'ms' })
    if (options.database !== false) form.set('db', this.opts.database)
    const res = await this.request('/query', form.toString(), 'application/x-www-form-urlencoded')
    let parsed: QueryResponse
    try {
      parsed = JSON.parse(res.body) as QueryResponse
    } catch {
      throw new Error(`InfluxDB query failed: HTTP ${res.status} ${res.body.slice(0, 200)}`)
    }
    if (parsed.error !== undefined) throw new Error(`InfluxDB query failed: ${parsed.error}`)
    if (res.status !== 200) throw new Error(`InfluxDB query failed: HTTP ${res.status}`)
    return (parsed.results ?? []).map((result) => {
      if (result.error !== undefined) throw new Error(`InfluxDB query failed: ${result.error}`)
      return result.series ?? []
    })
  }

  close (): void {
    this.agent.destroy()
  }

  private async request (path: string, body: string, contentType: string): Promise<{ status: number, body: string }> {
    const url = new URL(path, this.base)
    const client = url.protocol === 'https:' ? https : http
    const headers: http.OutgoingHttpHeaders = { 'content-type': contentType, 'content-length': Buffer.byteLength(body) }
    if (this.auth !== undefined) headers.authorization = this.auth
    return await new Promise((resolve, reject) => {
      const req = client.request(url, { method: 'POST', agent: this.agent, headers, timeout: this.opts.timeoutMs }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }))
        res.on('error', reject)
      })
      // `timeout` fires on socket inactivity; a whole-request deadline as well, so a trickling server cannot hold a batch forever.
      const deadline = setTimeout(() => req.destroy(new Error(`timeout after ${this.opts.timeoutMs} ms`)), this.opts.timeoutMs)
      req.on('timeout', () => req.destroy(new Error(`timeout after ${this.opts.timeoutMs} ms`)))
      req.on('error', reject)
      req.on('close', () => clearTimeout(deadline))
      req.end(body)
    })
  }
}

function errorText (body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown }
    if (typeof parsed.error === 'string') return parsed.error
  } catch { /* not JSON */ }
  return body.slice(0, 200)
}
