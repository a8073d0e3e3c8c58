// Console user management: /console/api/users. Admins manage everyone; a clerk manages family accounts
// whose homes are all in the clerk's villages (the clerk is the one who meets the family). Every write
// is audited; one-time passwords are returned once and stored only as scrypt hashes.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AnjuError } from '../../../src/errors.ts'
import type { AuthContext } from './console-auth.ts'
import { generateOneTimePassword, hashPassword } from './passwords.ts'
import { Access, requireRole, ROLES, type Principal, type Role } from './principal.ts'
import type { Scope, UserRow } from './user-store.ts'

const tags = ['console']
const ids = z.array(z.string().min(1).max(64)).max(500)
const scopeInput = z.object({ villageIds: ids.optional(), gridIds: ids.optional(), homeIds: ids.optional() })
const managedUser = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(ROLES),
  scope: z.object({ villageIds: z.array(z.string()), gridIds: z.array(z.string()), homeIds: z.array(z.string()) }),
  mustChangePassword: z.boolean(),
  disabled: z.boolean(),
  createdAt: z.number()
})
const withPassword = z.object({ user: managedUser, oneTimePassword: z.string() })
// Letters of any script (Chinese names are usual), digits and . _ -: no spaces or look-alike punctuation.
const username = z.string().trim().regex(/^[\p{L}\p{N}._-]{2,32}$/u, '2-32 letters, digits, . _ -')
const userId = z.object({ id: z.string().min(1).max(64) })

export async function userRoutes (app: FastifyInstance, { ctx }: { ctx: AuthContext }): Promise<void> {
  const { users, sessions, deps } = ctx
  const access = new Access(deps.db, deps.clock)
  const r = app.withTypeProvider<ZodTypeProvider>()

  /** May `p` manage an account with this role and scope? Admin: any; clerk: family of homes in their villages. */
  const canManage = (p: Principal, role: Role, scope: Scope): boolean => {
    if (p.role === 'admin') return true
    if (p.role !== 'clerk' || role !== 'family') return false
    return scope.homeIds.length > 0 && scope.homeIds.every((h) => access.canSeeHome(p, h))
  }
  /** The target user if `p` may manage it; 404 otherwise (no probing of other villages' accounts). */
  const target = (p: Principal, id: string): UserRow => {
    const u = users.byId(id)
    if (u === undefined || !canManage(p, u.role, users.scopeOf(u.id))) throw new AnjuError('NOT_FOUND')
    return u
  }

  r.get('/users', {
    schema: { tags, summary: 'Console users (admin: all; clerk: family accounts of their villages)', response: { 200: z.object({ users: z.array(managedUser) }) } }
  }, async (req) => {
    const p = requireRole(req, 'admin', 'clerk')
    const list = users.list().filter((u) => canManage(p, u.role, users.scopeOf(u.id)))
    return { users: list.map((u) => users.view(u)) }
  })

  r.post('/users', {
    schema: {
      tags, summary: 'Create a user; the one-time password is in this answer only',
      body: z.object({ username, displayName: z.string().trim().min(1).max(64), role: z.enum(ROLES), scope: scopeInput.optional() }),
      response: { 201: withPassword }
    }
  }, async (req, reply) => {
    const p = requireRole(req, 'admin', 'clerk')
    const scope = users.normaliseScope(req.body.role, req.body.scope)
    if (!canManage(p, req.body.role, scope)) throw new AnjuError('FORBIDDEN')
    const oneTimePassword = generateOneTimePassword()
    const user = users.create({
      username: req.body.username, displayName: req.body.displayName, role: req.body.role, scope,
      passwordHash: await hashPassword(oneTimePassword), mustChangePassword: true, createdBy: `user:${p.userId}`
    })
    access.audit(p, 'create', 'user', user.id, { username: user.username, role: user.role, scope })
    return reply.code(201).send({ user: users.view(user), oneTimePassword })
  })

  r.patch('/users/:id', {
    schema: {
      tags, summary: 'Change role, scope, display name or disable/enable (disabling ends the user\'s sessions)',
      params: userId,
      body: z.object({ displayName: z.string().trim().min(1).max(64).optional(), role: z.enum(ROLES).optional(), scope: scopeInput.optional(), disabled: z.boolean().optional() }),
      response: { 200: managedUser }
    }
  }, async (req) => {
    const p = requireRole(req, 'admin', 'clerk')
    const before = target(p, req.params.id)
    const role = req.body.role ?? before.role
    const scope = req.body.scope !== undefined || req.body.role !== undefined ? users.normaliseScope(role, req.body.scope ?? users.scopeOf(before.id)) : undefined
    if (!canManage(p, role, scope ?? users.scopeOf(before.id))) throw new AnjuError('FORBIDDEN')
    const losesAdmin = before.role === 'admin' && before.disabledAt === null && (role !== 'admin' || req.body.disabled === true)
    if (losesAdmin && users.countEnabledAdmins() <= 1) throw new AnjuError('CONFLICT', 'the last enabled admin cannot be disabled or demoted')
    users.update(before.id, { displayName: req.body.displayName, role: req.body.role, scope, disabled: req.body.disabled })
    // Role and scope are read on every request, so they apply at once; a disabled user is signed out now.
    const ended = req.body.disabled === true ? sessions.deleteForUser(before.id) : 0
    access.audit(p, req.body.disabled === true ? 'disable' : req.body.disabled === false ? 'enable' : 'update', 'user', before.id,
      { ...req.body, ...(scope === undefined ? {} : { scope }), sessionsEnded: ended })
    return users.view(users.byId(before.id) as UserRow)
  })

  r.post('/users/:id/reset-password', {
    schema: { tags, summary: 'Set a new one-time password (shown once) and end the user\'s sessions', params: userId, response: { 200: withPassword } }
  }, async (req) => {
    const p = requireRole(req, 'admin', 'clerk')
    const user = target(p, req.params.id)
    const oneTimePassword = generateOneTimePassword()
    users.setPassword(user.id, await hashPassword(oneTimePassword), true)
    const ended = sessions.deleteForUser(user.id)
    access.audit(p, 'reset_password', 'user', user.id, { sessionsEnded: ended })
    return { user: users.view(users.byId(user.id) as UserRow), oneTimePassword }
  })
}
