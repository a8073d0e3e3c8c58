// Which village an unpaired screen shows on a gateway that serves several: the configured one, else the oldest.
import { afterEach, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../../helpers/start-gateway.ts'

let gw: TestGateway | undefined
afterEach(async () => { await gw?.stop(); gw = undefined })

async function publicVillage (g: TestGateway): Promise<string> {
  const res = await fetch(`${g.urls.http}/tv/api/state`)
  expect(res.status).toBe(200)
  return ((await res.json()) as { screen: { villageName: string } }).screen.villageName
}

it('shows the oldest village without configuration and the configured one with ANJU_TV_DEFAULT_VILLAGE', async () => {
  gw = await startGateway()
  await gw.api('POST', '/api/v1/villages', { id: 'vil-first', name: '山下庄村' })
  await gw.api('POST', '/api/v1/villages', { id: 'vil-second', name: '水口村' })
  expect(await publicVillage(gw)).toBe('山下庄村')
  const dataDir = gw.dataDir
  await gw.stop({ keepDir: true })

  gw = await startGateway({ dataDir, tv: { defaultVillageId: 'vil-second' } })
  expect(await publicVillage(gw)).toBe('水口村')
})
