// A stand-in for the InfluxDB 2.x HTTP API in front of a real InfluxDB 1.6 (Debian has no 2.x or 3.x
// package, so no real 2.x server can run on this machine). It is a mock of the 2.x *server*, kept thin:
// every point still goes through @influxdata/influxdb-client's real write path into a real influxd, and
// every query is real InfluxQL on it. It implements what Anju uses, like 2.x does:
//   POST /api/v2/write?org=&bucket=&precision=ms   -> 1.x /write?db=<bucket>  (204 / 400 / 404 bucket not found)
//   GET|POST /query (v1-compatible, db = bucket)   -> 1.x /query             ("virtual DBRP mappings")
//   GET /api/v2/orgs?org=, GET|POST|PATCH /api/v2/buckets (a bucket is a database with that retention)
//   GET|POST /api/v2/tasks (recorded, not run: there is no Flux engine here)
//   POST /api/v2/delete (predicate home="x")       -> DROP SERIES WHERE home = 'x'
// Every request needs `Authorization: Token <token>`, else 401 — as 2.x does.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'

export interface Influx2Emulator {
  url: string
  token: string
  org: string
  tasks: Array<{ name: string, flux: string }>
  buckets: Map<string, { id: string, everySeconds: number }>
  close(): Promise<void>
}

export async function startInflux2Emulator (influx1Url: string, options: { token?: string, org?: string } = {}): Promise<Influx2Emulator> {
  const token = options.token ?? 'test-token-' + Math.random().toString(36).slice(2)
  const org = options.org ?? 'anju'
  const tasks: Array<{ name: string, flux: string }> = []
  const buckets = new Map<string, { id: string, everySeconds: number }>()

  const upstream = async (path: string, body: string, contentType: string): Promise<{ status: number, body: string }> => {
    const res = await fetch(influx1Url + path, { method: 'POST', body, headers: { 'content-type': contentType } })
    return { status: res.status, body: await res.text() }
  }
  const influxql = async (q: string): Promise<void> => { await upstream('/query', new URLSearchParams({ q }).toString(), 'application/x-www-form-urlencoded') }
  const duration = (seconds: number): string => seconds > 0 ? `${Math.max(1, Math.round(seconds / 3600))}h` : 'INF'

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      // The client gzips bodies over 1,000 bytes (its gzipThreshold), as 2.x accepts.
      const raw = Buffer.concat(chunks)
      const body = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString()
      const url = new URL(req.url ?? '/', 'http://x')
      const send = (status: number, json?: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(json === undefined ? '' : JSON.stringify(json))
      }
      if (req.headers.authorization !== `Token ${token}`) { send(401, { code: 'unauthorized', message: 'unauthorized access' }); return }
      void (async () => {
        const p = url.pathname
        if (p === '/api/v2/write') {
          const bucket = url.searchParams.get('bucket') ?? ''
          if (!buckets.has(bucket)) return send(404, { code: 'not found', message: `bucket "${bucket}" not found` })
          const up = await upstream(`/write?db=${encodeURIComponent(bucket)}&precision=${url.searchParams.get('precision') ?? 'ns'}`, body, 'text/plain')
          return up.status === 204 ? send(204) : send(up.status, { code: 'invalid', message: up.body })
        }
        if (p === '/query') {
          const up = await upstream('/query', req.method === 'GET' ? url.searchParams.toString() : body, 'application/x-www-form-urlencoded')
          res.writeHead(up.status, { 'content-type': 'application/json' })
          return res.end(up.body)
        }
        if (p === '/api/v2/orgs') return send(200, { orgs: url.searchParams.get('org') === org ? [{ id: 'org-1', name: org }] : [] })
        if (p === '/api/v2/buckets' && req.method === 'GET') {
          const name = url.searchParams.get('name') ?? ''
          const found = buckets.get(name)
          return send(200, { buckets: found === undefined ? [] : [{ id: found.id, name }] })
        }
        if (p.startsWith('/api/v2/buckets')) {
          const input = JSON.parse(body) as { name?: string, retentionRules: Array<{ everySeconds: number }> }
          const everySeconds = input.retentionRules[0]?.everySeconds ?? 0
          const name = req.method === 'POST' ? input.name ?? '' : [...buckets].find(([, b]) => p.endsWith('/' + b.id))?.[0] ?? ''
          buckets.set(name, { id: buckets.get(name)?.id ?? `bucket-${buckets.size + 1}`, everySeconds })
          await influxql(`CREATE DATABASE "${name}" WITH DURATION ${duration(everySeconds)} NAME "autogen"`)
          await influxql(`ALTER RETENTION POLICY "autogen" ON "${name}" DURATION ${duration(everySeconds)} DEFAULT`)
          return send(req.method === 'POST' ? 201 : 200, { id: buckets.get(name)?.id, name })
        }
        if (p === '/api/v2/tasks' && req.method === 'GET') return send(200, { tasks: tasks.filter((t) => t.name === url.searchParams.get('name')).map((t) => ({ id: t.name, name: t.name })) })
        if (p === '/api/v2/tasks') {
          const { flux } = JSON.parse(body) as { flux: string }
          const name = /name: "([^"]+)"/.exec(flux)?.[1] ?? 'unnamed'
          tasks.push({ name, flux })
          return send(201, { id: name, name })
        }
        if (p === '/api/v2/delete') {
          const { predicate } = JSON.parse(body) as { predicate: string }
          const home = /^home="(.*)"$/.exec(predicate)?.[1]
          if (home === undefined) return send(400, { code: 'invalid', message: 'unsupported predicate in this emulator' })
          const bucket = url.searchParams.get('bucket') ?? ''
          await upstream('/query', new URLSearchParams({ q: `DROP SERIES WHERE home = '${home}'`, db: bucket }).toString(), 'application/x-www-form-urlencoded')
          return send(204)
        }
        return send(404, { code: 'not found', message: `${p} is not emulated` })
      })().catch((err: Error) => send(500, { code: 'internal error', message: err.message }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`, token, org, tasks, buckets,
    close: async () => { server.closeAllConnections(); await new Promise<void>((resolve) => server.close(() => resolve())) }
  }
}
