// Accounts, sessions and access control of the console: installs the session routes and the hooks that
// authenticate every /console/api request (cookie session + CSRF header on writes) into `scope`.
//
// Order of checks on every console request (onRequest, before any body is parsed):
//   1. routes marked `consoleAuth: 'public'` (sign-in) pass; everything else needs a live session cookie → 401
//   2. a disabled user's session is deleted → 401
//   3. writes (not GET/HEAD/OPTIONS) need `x-csrf-token` equal to the session's token → 403 CSRF; together
//      with SameSite=Strict this is defence in depth against cross-site requests (OWASP CSRF Cheat Sheet)
//   4. a user who must change a one-time password may only read/end the session and change it → 403
import fastifyCookie from '@fastify/cookie'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AnjuError } from '../../../src/errors.ts'
import type { ConsoleDeps } from '../console-deps.ts'
import { generateOneTimePassword, hashPassword } from './passwords.ts'
import { audit, type Principal } from './principal.ts'
import { LoginLimiter } from './login-limiter.ts'
import { CSRF_HEADER, csrfMatches, SESSION_COOKIE, SessionStore } from './session-store.ts'
import { sessionRoutes } from './session-routes.ts'
import { userRoutes } from './user-routes.ts'
import { auditRoutes } from './audit-routes.ts'
import { UserStore } from './user-store.ts'

export { CSRF_HEADER, SESSION_COOKIE }

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `public`: no session needed (sign-in). `passwordChange`: allowed while a one-time password is unchanged. */
    consoleAuth?: 'public' | 'passwordChange'
  }
  interface FastifyRequest {
    /** The console session of this request (id = SHA-256 of the cookie token, never the token itself). */
    consoleSession?: { id: string, csrfToken: string }
  }
}

/** What the session and user routes share. */
export interface AuthContext {
  deps: ConsoleDeps
  users: UserStore
  sessions: SessionStore
  limiter: LoginLimiter
  /**
   * scrypt of a random string: unknown usernames are verified against it so they take as long as known
   * ones. Made at the first sign-in, not at start: most gateways (and tests) never see a sign-in.
   */
  dummyHash(): Promise<string>
  setSessionCookie(req: FastifyRequest, reply: FastifyReply, token: string): void
  clearSessionCookie(req: FastifyRequest, reply: FastifyReply): void
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** Called with the /console/api scope itself (not as a child plugin) so its hooks cover the sibling routes. */
export async function installConsoleAuth (scope: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const { db, clock, config } = deps
  const users = new UserStore(db, clock)
  const sessions = new SessionStore(db, clock, { idleMs: config.console.sessionIdleMinutes * 60_000, maxMs: config.console.sessionMaxHours * 3_600_000 })
  const limiter = new LoginLimiter(clock, {
    windowMs: config.console.loginWindowMinutes * 60_000, maxPerUser: config.console.loginMaxFailuresPerUser, maxPerIp: config.console.loginMaxFailuresPerIp
  })
  await createFirstAdmin(deps, users)

  let dummy: Promise<string> | undefined
  const secure = (req: FastifyRequest): boolean => config.console.secureCookies === 'always' || (config.console.secureCookies === 'auto' && req.protocol === 'https')
  const ctx: AuthContext = {
    deps, users, sessions, limiter,
    dummyHash: () => (dummy ??= hashPassword(generateOneTimePassword())),
    setSessionCookie: (req, reply, token) => {
      reply.setCookie(SESSION_COOKIE, token, {
        path: '/console', httpOnly: true, sameSite: 'strict', secure: secure(req), maxAge: config.console.sessionIdleMinutes * 60
      })
    },
    clearSessionCookie: (req, reply) => {
      reply.clearCookie(SESSION_COOKIE, { path: '/console', httpOnly: true, sameSite: 'strict', secure: secure(req) })
    }
  }

  // fastify-plugin'd: awaited here so its cookie parsing (an onRequest hook) runs before ours.
  await scope.register(fastifyCookie)
  scope.decorateRequest('principal', undefined)
  scope.decorateRequest('consoleSession', undefined)

  scope.addHook('onRequest', async (req, reply) => {
    const mode = req.routeOptions.config?.consoleAuth
    if (mode === 'public') return
    const token = req.cookies[SESSION_COOKIE]
    const session = token === undefined ? undefined : sessions.touch(token)
    if (session === undefined) {
      if (token !== undefined) ctx.clearSessionCookie(req, reply)
      throw new AnjuError('NOT_SIGNED_IN')
    }
    const user = users.byId(session.userId)
    if (user === undefined || user.disabledAt !== null) {
      sessions.delete(session.id)
      ctx.clearSessionCookie(req, reply)
      throw new AnjuError('NOT_SIGNED_IN')
    }
    if (!SAFE_METHODS.has(req.method) && !csrfMatches(headerValue(req.headers[CSRF_HEADER]), session.csrfToken)) throw new AnjuError('CSRF')
    if (user.mustChangePassword && mode !== 'passwordChange') throw new AnjuError('PASSWORD_CHANGE_REQUIRED')
    // Sliding expiry: the cookie's Max-Age follows the session's idle timeout.
    ctx.setSessionCookie(req, reply, token as string)
    req.principal = users.principalOf(user)
    req.consoleSession = { id: session.id, csrfToken: session.csrfToken }
  })

  // Console responses carry personal data and session answers: never cached by a browser or proxy
  // (unless a route chose its own policy).
  scope.addHook('onSend', async (_req, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
  })

  await scope.register(sessionRoutes, { ctx })
  await scope.register(userRoutes, { ctx })
  await scope.register(auditRoutes, { ctx })
}

function headerValue (h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h
}

/**
 * No admin yet (first start, or a database from before accounts): create `admin` with a one-time password
 * printed once at warn level — the answer to "no default password". The message, not a field,
 * holds it: the logger redacts `password` fields, and the operator must be able to read this one line.
 */
async function createFirstAdmin (deps: ConsoleDeps, users: UserStore): Promise<void> {
  if (users.anyAdmin()) return
  const password = generateOneTimePassword()
  const username = users.byUsername('admin') === undefined ? 'admin' : `admin-${generateOneTimePassword().slice(0, 4)}`
  const user = users.create({
    username, displayName: '管理员', role: 'admin', scope: { villageIds: [], gridIds: [], homeIds: [] },
    passwordHash: await hashPassword(password), mustChangePassword: true, createdBy: 'system'
  })
  audit(deps.db, 'system', 'create', 'user', user.id, { username, role: 'admin', firstStart: true }, deps.clock.now())
  deps.log.warn({ part: 'console', username }, `console: first start, created user "${username}" with one-time password ${password} — sign in at /console/ and change it; it is not shown again`)
}

export type { Principal }
