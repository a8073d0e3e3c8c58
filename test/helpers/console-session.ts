// Console accounts for tests: create a user straight in the database (a known password, no forced
// change) and sign in over real HTTP; the client keeps the session cookie and sends the CSRF header.
import { hashPassword } from '../../gateway/console/auth/passwords.ts'
import type { Role } from '../../gateway/console/auth/principal.ts'
import { UserStore, type Scope } from '../../gateway/console/auth/user-store.ts'
import type { TestGateway } from './start-gateway.ts'

export interface ConsoleCredentials { id: string, username: string, password: string }

let seq = 0

/** A user with `role` and `scope` (ids must exist), ready to sign in with the returned password. */
export async function createUser (gw: Pick<TestGateway, 'db'>, options: { role: Role, scope?: Partial<Scope>, username?: string, password?: string, mustChangePassword?: boolean, displayName?: string }): Promise<ConsoleCredentials> {
  const username = options.username ?? `${options.role.replace('_', '-')}-${process.pid}-${++seq}`
  const password = options.password ?? `pw-${username}-Correct-Horse`
  const users = new UserStore(gw.db, { now: () => Date.now() })
  const user = users.create({
    username, displayName: options.displayName ?? username, role: options.role,
    scope: users.normaliseScope(options.role, options.scope), passwordHash: await hashPassword(password),
    mustChangePassword: options.mustChangePassword ?? false, createdBy: 'test'
  })
  return { id: user.id, username, password }
}

// Tests read answers loosely (`body.user.role`); the routes' zod schemas are what type the contract.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any

export interface Answer<T = Loose> { status: number, body: T, headers: Headers }

export interface ConsoleClient {
  user: { id: string, username: string, role: Role, mustChangePassword: boolean, scope: Scope, displayName: string }
  csrfToken: string
  /** The raw session cookie value (to assert it never reaches a log). */
  cookie: string
  /** Paths not starting with /console are under /console/api (`get('/users')`). */
  get<T = Loose>(path: string): Promise<Answer<T>>
  post<T = Loose>(path: string, body?: unknown): Promise<Answer<T>>
  put<T = Loose>(path: string, body?: unknown): Promise<Answer<T>>
  patch<T = Loose>(path: string, body?: unknown): Promise<Answer<T>>
  delete<T = Loose>(path: string, body?: unknown): Promise<Answer<T>>
  /** Any request with full control of the CSRF header (`csrf: null` sends none). */
  request<T = Loose>(method: string, path: string, body?: unknown, options?: { csrf?: string | null }): Promise<Answer<T>>
}

function url (gw: Pick<TestGateway, 'urls'>, path: string): string {
  return gw.urls.http + (path.startsWith('/console') ? path : `/console/api${path}`)
}

async function answer<T> (res: Response): Promise<Answer<T>> {
  const text = await res.text()
  let body: unknown = null
  if (text !== '') {
    try { body = JSON.parse(text) } catch { body = text }
  }
  return { status: res.status, body: body as T, headers: res.headers }
}

/** POST /console/api/session as a browser would; `answer.cookie` is the session token when it worked. */
export async function login (gw: Pick<TestGateway, 'urls'>, username: string, password: string, headers: Record<string, string> = {}): Promise<Answer & { cookie: string | null }> {
  const res = await fetch(url(gw, '/session'), {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ username, password })
  })
  return { ...await answer(res), cookie: sessionCookieOf(res.headers) }
}

/** The session token a response sets, or null (none, or a clearing one). */
function sessionCookieOf (headers: Headers): string | null {
  return headers.getSetCookie().map((c) => /^anju_session=([^;]*)/.exec(c)?.[1]).find((v) => v !== undefined && v !== '') ?? null
}

export async function signIn (gw: Pick<TestGateway, 'urls'>, username: string, password: string): Promise<ConsoleClient> {
  const res = await login(gw, username, password)
  if (res.status !== 200 || res.cookie === null) throw new Error(`sign-in of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`)
  const client: ConsoleClient = {
    user: res.body.user,
    csrfToken: res.body.csrfToken,
    cookie: res.cookie,
    async request (method, path, body, options = {}) {
      const csrf = options.csrf === undefined ? client.csrfToken : options.csrf
      const headers: Record<string, string> = { cookie: `anju_session=${client.cookie}` }
      if (csrf !== null) headers['x-csrf-token'] = csrf
      if (body !== undefined) headers['content-type'] = 'application/json'
      const r = await fetch(url(gw, path), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
      // A cookie jar's one job: follow a renewed session (the password change issues a new cookie).
      const renewed = sessionCookieOf(r.headers)
      if (renewed !== null) client.cookie = renewed
      return await answer(r)
    },
    get: async (path) => await client.request('GET', path),
    post: async (path, body) => await client.request('POST', path, body),
    put: async (path, body) => await client.request('PUT', path, body),
    patch: async (path, body) => await client.request('PATCH', path, body),
    delete: async (path, body) => await client.request('DELETE', path, body)
  }
  return client
}
