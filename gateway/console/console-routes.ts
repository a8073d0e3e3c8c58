// The console's API under /console/api: places, devices, screens, alerts, content and finance for the
// signed-in user's role and scope.
import type { FastifyInstance } from 'fastify'
import type { ConsoleDeps } from './console-deps.ts'

export async function consoleRoutes (_app: FastifyInstance, _deps: ConsoleDeps): Promise<void> {}
