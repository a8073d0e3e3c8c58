// Admin API of village content (/api/v1/content/...): notices, meetings, care visits, broadcasts and
// finance statements.
import type { FastifyInstance } from 'fastify'
import type { ContentService } from '../../content/content-service.ts'

export async function contentRoutes (_app: FastifyInstance, _deps: { content: ContentService }): Promise<void> {}
