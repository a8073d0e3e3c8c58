// Sign in, who am I, sign out, change password: /console/api/session.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AnjuError } from '../../../src/errors.ts'
import type { AuthContext } from './console-auth.ts'
import { SESSION_COOKIE } from './session-store.ts'
import { hashPassword, needsRehash, passwordProblem, verifyPassword } from './passwords.ts'
import { audit, ROLES } from './principal.ts'
import type { UserRow } from './user-store.ts'

const tags = ['console']

export const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(ROLES),
  scope: z.object({ villageIds: z.array(z.string()), gridIds: z.array(z.string()), homeIds: z.array(z.string()) }),
  mustChangePassword: z.boolean()
})
const sessionAnswer = z.object({ user: userSchema, csrfToken: z.string() })
const errorAnswer = z.object({ error: z.string(), message: z.string() })

export const loginBody = z.object({
  username: z.string().trim().min(1).max(64),
  // Bounded so a megabyte "password" cannot be fed to scrypt.
  password: z.string().min(1).max(256)
})

export async function sessionRoutes (app: FastifyInstance, { ctx }: { ctx: AuthContext }): Promise<void> {
  const { users, sessions, limiter, deps } = ctx
  const r = app.withTypeProvider<ZodTypeProvider>()
  const now = (): number => deps.clock.now()

  r.post('/session', {
    config: { consoleAuth: 'public' },
    schema: { tags, summary: 'Sign in: sets the HttpOnly session cookie and returns the CSRF token for writes', body: loginBody, response: { 200: sessionAnswer, 401: errorAnswer, 429: errorAnswer } },
    // A cross-site HTML form can only send urlencoded, multipart or text/plain without a CORS preflight.
    onRequest: async (req) => {
      if (!String(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) throw new AnjuError('UNSUPPORTED_MEDIA_TYPE')
    }
  }, async (req, reply) => {
    const { username, password } = req.body
    const ip = req.ip
    const wait = limiter.attempt(username, ip)
    if (wait > 0) {
      reply.header('retry-after', String(wait))
      req.log.debug({ part: 'console' }, 'console sign-in rate-limited')
      throw new AnjuError('RATE_LIMITED')
    }
    const user = users.byUsername(username)
    // One answer, one cost: unknown and disabled users are hashed against a dummy like everybody else
    // (the dummy is awaited by every sign-in, so the first one costs the same whoever it names).
    const dummy = await ctx.dummyHash()
    const ok = await checkPassword(reply, password, user?.passwordHash ?? dummy)
    if (user === undefined || !ok || user.disabledAt !== null) {
      if (user !== undefined) audit(deps.db, 'anonymous', 'login_failed', 'user', user.id, { ip }, now())
      throw new AnjuError('BAD_CREDENTIALS')
    }
    limiter.succeed(username, ip)
    if (needsRehash(user.passwordHash)) users.rehash(user.id, await hashPassword(password))
    // A cookie from an earlier session on this browser is replaced, not left behind (no fixation, no leftovers).
    const previous = req.cookies[SESSION_COOKIE]
    if (previous !== undefined) sessions.deleteByToken(previous)
    const { token, session } = sessions.create(user.id, { ip, userAgent: req.headers['user-agent'] })
    ctx.setSessionCookie(req, reply, token)
    audit(deps.db, `user:${user.id}`, 'login', 'user', user.id, { ip }, now())
    return { user: userOf(ctx, user), csrfToken: session.csrfToken }
  })

  r.get('/session', {
    config: { consoleAuth: 'passwordChange' },
    schema: { tags, summary: 'The signed-in user and the CSRF token (401 without a session)', response: { 200: sessionAnswer } }
  }, async (req) => {
    const { user, session } = current(ctx, req)
    return { user: userOf(ctx, user), csrfToken: session.csrfToken }
  })

  r.delete('/session', {
    config: { consoleAuth: 'passwordChange' },
    schema: { tags, summary: 'Sign out' }
  }, async (req, reply) => {
    const { user, session } = current(ctx, req)
    sessions.delete(session.id)
    ctx.clearSessionCookie(req, reply)
    audit(deps.db, `user:${user.id}`, 'logout', 'user', user.id, undefined, now())
    return reply.code(204).send()
  })

  r.post('/session/password', {
    config: { consoleAuth: 'passwordChange' },
    schema: {
      tags, summary: 'Change the own password (required after a one-time password); ends the user\'s other sessions and renews this one',
      body: z.object({ current: z.string().min(1).max(256), next: z.string().min(1).max(256) }),
      response: { 200: sessionAnswer }
    }
  }, async (req, reply) => {
    const { user, session } = current(ctx, req)
    const wait = limiter.attempt(user.username, req.ip)
    if (wait > 0) {
      reply.header('retry-after', String(wait))
      throw new AnjuError('RATE_LIMITED')
    }
    if (!await checkPassword(reply, req.body.current, user.passwordHash)) throw new AnjuError('BAD_CREDENTIALS', 'the current password is wrong')
    limiter.succeed(user.username, req.ip)
    const problem = passwordProblem(req.body.next, user.username)
    if (problem !== null) throw new AnjuError('WEAK_PASSWORD', `password too weak: ${problem}`)
    if (req.body.next === req.body.current) throw new AnjuError('WEAK_PASSWORD', 'password too weak: must differ from the current one')
    users.setPassword(user.id, await hashPassword(req.body.next), false)
    // Every session of this account ends (a stolen one too); this browser gets a new session id, as on
    // any change of privilege (OWASP Session Management Cheat Sheet, "Renew the Session ID After Any
    // Privilege Level Change"). The CSRF token carries over, so the open page keeps working.
    sessions.deleteForUser(user.id)
    const renewed = sessions.create(user.id, { ip: req.ip, userAgent: req.headers['user-agent'], csrfToken: session.csrfToken })
    ctx.setSessionCookie(req, reply, renewed.token)
    audit(deps.db, `user:${user.id}`, 'change_password', 'user', user.id, undefined, now())
    return { user: userOf(ctx, users.byId(user.id) as UserRow), csrfToken: renewed.session.csrfToken }
  })
}

/**
 * At most this many password checks run at once in this process (each is ~100 ms of a thread-pool thread and 16 MiB):
 * a flood of sign-ins from many addresses gets 429s instead of starving the gateway's other work.
 */
const MAX_CONCURRENT_CHECKS = 8
let checksInFlight = 0

async function checkPassword (reply: FastifyReply, password: string, stored: string): Promise<boolean> {
  if (checksInFlight >= MAX_CONCURRENT_CHECKS) {
    reply.header('retry-after', '1')
    throw new AnjuError('RATE_LIMITED')
  }
  checksInFlight++
  try {
    return await verifyPassword(password, stored)
  } finally {
    checksInFlight--
  }
}

function current (ctx: AuthContext, req: FastifyRequest): { user: UserRow, session: { id: string, csrfToken: string } } {
  const user = req.principal === undefined ? undefined : ctx.users.byId(req.principal.userId)
  if (user === undefined || req.consoleSession === undefined) throw new AnjuError('NOT_SIGNED_IN')
  return { user, session: req.consoleSession }
}

export function userOf (ctx: AuthContext, user: UserRow): z.infer<typeof userSchema> {
  const v = ctx.users.view(user)
  return { id: v.id, username: v.username, displayName: v.displayName, role: v.role, scope: v.scope, mustChangePassword: v.mustChangePassword }
}
