// Admin API of TV screens (/api/v1/screens): pair a screen by the code it shows, list, revoke.
import type { FastifyInstance } from 'fastify'
import type { ScreenStore } from '../../tv/screen-store.ts'

export async function screenRoutes (_app: FastifyInstance, _deps: { screens: ScreenStore }): Promise<void> {}
