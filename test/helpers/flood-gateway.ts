// A gateway and the flooders of the flood tests (test/gateway/broker/flood.test.ts and the fault suite's
// qos0-flood.test.ts): hubs and sensors in turn, registered in one home.
import { addDevice, seedHome, startGateway, type Credentials, type TestGateway } from './start-gateway.ts'

export type Flooder = Credentials & { kind: 'sensor' | 'hub' }

export async function startFloodGateway (flooderCount: number): Promise<{ gw: TestGateway, homeId: string, flooders: Flooder[] }> {
  // A short cooldown (default 10 s) keeps the cut-off flooders reconnecting and flooding for the whole run.
  const gw = await startGateway({ mqtt: { floodCooldownMs: 300 } })
  const homeId = (await seedHome(gw)).homeId
  const flooders: Flooder[] = []
  for (let i = 0; i < flooderCount; i++) {
    const kind = i % 2 === 0 ? 'hub' : 'sensor'
    flooders.push({ ...(await addDevice(gw, homeId, kind)), kind })
  }
  return { gw, homeId, flooders }
}
