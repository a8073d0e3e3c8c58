// Bearer-token check for the admin API, constant-time so response timing does not leak the token, and
// limited per source address: after WRONG_TOKENS_PER_ADDRESS wrong tokens in a window the address gets
// 429 without its token being checked until the window ends. The token is 256 random bits, so the limit
// is defence in depth; it also keeps a scanner from costing the gateway a hash per request.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Clock } from '../../src/clock.ts'
import { WindowCounter } from '../../src/window-counter.ts'

const digest = (text: string): Buffer => createHash('sha256').update(text).digest()

const WINDOW_MS = 60_000
const WRONG_TOKENS_PER_ADDRESS = 20

export function adminAuth (token: string, clock: Clock) {
  const expected = digest(token)
  const wrong = new WindowCounter(WINDOW_MS)
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const now = clock.now()
    const waitMs = wrong.waitMs(req.ip, WRONG_TOKENS_PER_ADDRESS, now)
    if (waitMs > 0) {
      await reply.code(429).header('retry-after', String(Math.ceil(waitMs / 1000))).send({ error: 'TOO_MANY_REQUESTS', message: 'too many wrong admin tokens from this address; try again later' })
      return
    }
    const header = req.headers.authorization ?? ''
    const given = header.startsWith('Bearer ') ? header.slice(7) : ''
    if (given === '' || !timingSafeEqual(digest(given), expected)) {
      wrong.add(req.ip, now)
      await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'UNAUTHORIZED', message: 'missing or wrong admin token' })
    }
  }
}
