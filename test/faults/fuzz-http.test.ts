// Every HTTP route (enumerated from the gateway's own OpenAPI document, so a new route is fuzzed without
// editing this file) gets schema-violating input with valid credentials: the admin API with the bearer
// token, the console API with a signed-in admin's session and CSRF token, the TV API with a paired
// screen's token. Properties: no 5xx, the gateway still healthy, and no partial write: the row counts of
// every registry table are unchanged after the whole batch. Seeded (printed); ANJU_LONG_FAULTS=1 adds
// more random variants per route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mulberry32, type Random } from '../../device-sim/prng.ts'
import { createUser, signIn, type ConsoleClient } from '../helpers/console-session.ts'
import { addDevice, seedHome, startGateway, type TestGateway } from '../helpers/start-gateway.ts'
import { pairScreen } from '../gateway/tv/tv-client.ts'
import { fuzzSeed, randomBytes } from './fuzz-raw-mqtt.ts'

const LONG = process.env.ANJU_LONG_FAULTS === '1'
const SEED = fuzzSeed()
console.log(`fuzz-http: seed ${SEED} (replay with ANJU_FUZZ_SEED=${SEED})`)

interface JsonSchema { type?: string | string[], properties?: Record<string, JsonSchema>, required?: string[], enum?: unknown[], items?: JsonSchema, anyOf?: JsonSchema[] }
interface Operation { parameters?: Array<{ in: string, name: string, schema?: JsonSchema }>, requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }
interface Route { method: string, path: string, op: Operation }
interface Case { what: string, url: string, body?: string | Buffer, contentType?: string }

// Not fuzzed: sign-out takes no body and ends this test's own session whatever it is sent; server-sent
// event streams answer 200 and never end (their bad input is covered by test/gateway/tv/tv-events.test.ts
// and the SSE route tests). Everything else must answer. Body-less routes (TV pair/start, check-in) may
// answer 2xx to junk they ignore; the table counts prove nothing was written from it.
const SKIPPED = new Set(['DELETE /console/api/session', 'GET /api/v1/events/stream', 'GET /tv/api/events'])

/** A value of the wrong JSON type for `schema`. */
function wrongType (schema: JsonSchema | undefined, rnd: Random): unknown {
  const type = Array.isArray(schema?.type) ? schema.type[0] : schema?.type
  const byType: Record<string, unknown[]> = {
    string: [12345, {}, [], true, { $gt: '' }], number: ['not-a-number', {}, [1], true, '1e999'], integer: ['1.5x', 1.5, {}, []],
    boolean: ['yes', 1, {}, null], array: ['x', { 0: 'a' }, 42], object: ['x', [], 42, true]
  }
  if (schema?.enum !== undefined) return 'no-such-value-\u0000'
  const options = byType[type ?? 'object'] ?? byType.object as unknown[]
  return options[Math.floor(rnd() * options.length)]
}

function deep (depth: number): string { return '['.repeat(depth) + ']'.repeat(depth) }

/** Bodies that no route may accept: each breaks the schema or the JSON itself, so none may write. */
function bodyCases (schema: JsonSchema | undefined, rnd: Random, url: string): Case[] {
  const json = 'application/json'
  const out: Case[] = [
    ...['', '{', '[]', '"x"', '123', 'null', 'true', '{"a":}', '\u0000', deep(100_000), '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000)]
      .map((body, i) => ({ what: `json#${i}`, url, body, contentType: json })),
    { what: '__proto__', url, body: '{"__proto__":{"isAdmin":true,"role":"admin"}}', contentType: json },
    { what: 'constructor.prototype', url, body: '{"constructor":{"prototype":{"isAdmin":true}}}', contentType: json },
    { what: 'over bodyLimit', url, body: `{"x":"${'a'.repeat(1_100_000)}"}`, contentType: json },
    { what: 'bad utf-8', url, body: Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]), contentType: json },
    { what: 'text/plain', url, body: 'hello', contentType: 'text/plain' },
    { what: 'form', url, body: 'name=x&__proto__[isAdmin]=1', contentType: 'application/x-www-form-urlencoded' },
    { what: 'multipart garbage', url, body: '--x\r\ngarbage', contentType: 'multipart/form-data; boundary=x' },
    { what: 'xml', url, body: '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>', contentType: 'application/xml' },
    { what: 'utf-16 json', url, body: Buffer.from('{"name":"x"}', 'utf16le'), contentType: 'application/json; charset=utf-16' },
    { what: 'random bytes', url, body: randomBytes(rnd, 64), contentType: 'application/octet-stream' }
  ]
  const props = Object.entries(schema?.properties ?? {})
  if (props.length > 0) {
    // Every property wrong at once, then each alone wrong (the rest valid-looking or absent).
    out.push({ what: 'all wrong types', url, body: JSON.stringify(Object.fromEntries(props.map(([k, s]) => [k, wrongType(s, rnd)]))), contentType: json })
    for (const [key, s] of props) {
      out.push({ what: `${key}: wrong type`, url, body: JSON.stringify({ [key]: wrongType(s, rnd) }), contentType: json })
      // A huge value next to a wrong one, so the body stays invalid even where the field has no max length.
      const other = props.find(([k]) => k !== key)
      if (other !== undefined) out.push({ what: `${key}: huge + ${other[0]} wrong`, url, body: JSON.stringify({ [key]: '长'.repeat(100_000), [other[0]]: wrongType(other[1], rnd) }), contentType: json })
    }
    if ((schema?.required ?? []).length > 0) out.push({ what: 'missing required', url, body: '{}', contentType: json })
  }
  return out
}

const BAD_IDS = ['does-not-exist', '%00', '..%2F..%2Fetc%2Fpasswd', 'x'.repeat(5000), '__proto__', 'constructor', '-1', '1e309', '%F0%9F%98', "1'%20OR%20'1'='1", '%7B%7D']

function queryCases (op: Operation, url: string): Case[] {
  const names = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name)
  const values = ['abc', '-1', '1e999', '9'.repeat(400), 'x'.repeat(10_000), '%00', '[]', '{}']
  return [
    ...names.flatMap((n) => values.map((v) => ({ what: `?${n}=${v.slice(0, 12)}`, url: `${url}?${n}=${v}` }))),
    ...names.map((n) => ({ what: `?${n} twice`, url: `${url}?${n}=1&${n}=2` })),
    { what: '?__proto__', url: `${url}?__proto__[isAdmin]=1&constructor[prototype][x]=1` }
  ]
}

describe('HTTP fuzzing of every route', () => {
  let gw: TestGateway
  let admin: ConsoleClient
  let screenToken: string

  beforeAll(async () => {
    gw = await startGateway()
    const { homeId } = await seedHome(gw)
    await addDevice(gw, homeId)
    await gw.api('POST', '/api/v1/residents', { homeId, name: '王秀英', birthYear: 1941 })
    await gw.api('POST', '/api/v1/contacts', { homeId, name: '李建国', phone: '13912345678', role: 'family' })
    screenToken = (await pairScreen(gw, { homeId })).token
    const creds = await createUser(gw, { role: 'admin' })
    admin = await signIn(gw, creds.username, creds.password)
  })
  afterAll(async () => { await gw?.stop() })

  function routes (): Route[] {
    const doc = (gw.http as unknown as { swagger: () => { paths: Record<string, Record<string, Operation>> } }).swagger()
    return Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })))
  }

  function headersFor (path: string): Record<string, string> {
    if (path.startsWith('/api/')) return { authorization: `Bearer ${gw.adminToken}` }
    if (path.startsWith('/console/')) return { cookie: `anju_session=${admin.cookie}`, 'x-csrf-token': admin.csrfToken }
    if (path.startsWith('/tv/')) return { authorization: `Bearer ${screenToken}` }
    return {}
  }

  const tables = (): Record<string, number> => Object.fromEntries(
    (gw.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>)
      .map(({ name }) => [name, (gw.db.prepare(`SELECT COUNT(*) AS n FROM "${name}"`).get() as { n: number }).n])
  )

  it('answers every schema-violating request below 500 and writes nothing', async () => {
    const rnd = mulberry32(SEED)
    const all = routes()
    expect(all.length).toBeGreaterThan(100) // the document really lists the API, not an empty shell
    const before = tables()
    const failures: string[] = []
    let sent = 0
    for (const route of all.filter((r) => !SKIPPED.has(`${r.method} ${r.path}`))) {
      const hasBody = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method)
      // Params: always an id that is not there (a real id with a valid body-less write would be a real write).
      const ids = route.path.includes('{') ? BAD_IDS : ['']
      const urlFor = (id: string): string => route.path.replace(/\{[^}]+\}/g, id)
      const cases: Case[] = []
      for (const id of ids) cases.push({ what: `id ${id.slice(0, 16)}`, url: urlFor(id), ...(hasBody ? { body: '{"x":', contentType: 'application/json' } : {}) })
      const url = urlFor(ids[Math.floor(rnd() * ids.length)] as string)
      if (hasBody) {
        const schema = route.op.requestBody?.content?.['application/json']?.schema
        cases.push(...bodyCases(schema, rnd, url))
        if (LONG) for (let i = 0; i < 20; i++) cases.push({ what: `random#${i}`, url, body: randomBytes(rnd, 1 + Math.floor(rnd() * 4096)), contentType: 'application/json' })
      }
      cases.push(...queryCases(route.op, url))
      for (const c of cases) {
        const answer = gw.http.inject({
          method: route.method as 'GET', url: c.url,
          headers: { ...headersFor(route.path), ...(c.contentType === undefined ? {} : { 'content-type': c.contentType }) },
          ...(c.body === undefined ? {} : { payload: c.body })
        })
        const res = await Promise.race([answer, new Promise<null>((resolve) => setTimeout(() => resolve(null), 10_000))])
        sent++
        if (res === null) { failures.push(`${route.method} ${route.path} [${c.what}] → no answer in 10 s`); continue }
        if (res.statusCode >= 500) failures.push(`${route.method} ${route.path} [${c.what}] → ${res.statusCode} ${res.body.slice(0, 200)}`)
      }
    }
    console.log(`fuzz-http: ${sent} requests to ${all.length} routes, ${failures.length} answered 5xx`)
    expect(failures).toEqual([])
    expect(tables()).toEqual(before)
    // Still healthy, and our session (never ended by the fuzzing) still works.
    expect((await gw.http.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)
    expect((await admin.get('/session')).status).toBe(200)
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined() // no prototype was polluted
  })
})
