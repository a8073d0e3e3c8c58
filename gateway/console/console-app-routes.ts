// Serves the console web app at /console/ (built in memory at start-up, like the TV app).
import type { FastifyInstance } from 'fastify'

export async function consoleAppRoutes (_app: FastifyInstance): Promise<void> {}
