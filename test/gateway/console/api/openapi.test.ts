// Every console route is documented in the gateway's OpenAPI (/docs), and no request body has a `by`:
// who acts comes from the session.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../../../helpers/start-gateway.ts'

let gw: TestGateway
beforeAll(async () => { gw = await startGateway() })
afterAll(async () => { await gw?.stop() })

it('documents the console API without a `by` in any request body', async () => {
  const res = await fetch(`${gw.urls.http}/docs/json`)
  expect(res.status).toBe(200)
  const doc = await res.json() as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } }>> }
  const paths = Object.keys(doc.paths).filter((p) => p.startsWith('/console/api/'))
  for (const p of ['/console/api/finance/statements/{id}/import', '/console/api/alerts/{id}/resolve', '/console/api/homes/{id}/devices', '/console/api/broadcasts', '/console/api/finance/chain']) {
    expect(paths).toContain(p)
  }
  for (const p of paths) {
    for (const op of Object.values(doc.paths[p] ?? {})) {
      const props = op.requestBody?.content['application/json']?.schema.properties ?? {}
      expect(Object.keys(props), p).not.toContain('by')
    }
  }
})
