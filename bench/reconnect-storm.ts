// `npm run bench:reconnect`: 10,000 sensors reconnect at once (a village power cut ends) against a real
// gateway; reports wall time until every device is connected, the gateway's CPU per connect, and what a
// slow password KDF (scrypt, Node defaults) would have cost instead. Writes bench/results/*.json.
import { fork } from 'node:child_process'
import { scryptSync, randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from '../gateway/build.ts'
import { parseConfig } from '../gateway/config/load-config.ts'

const DEVICES = Number(process.env.BENCH_DEVICES ?? 10_000)
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2)
const dataDir = mkdtempSync(join(tmpdir(), 'anju-bench-'))
const gw = await build(parseConfig({ dataDir, logLevel: 'silent', http: { host: '127.0.0.1', port: 0 }, mqtt: { host: '127.0.0.1', port: 0 } }))

try {
  console.log(`registering ${DEVICES} sensors ...`)
  const village = gw.places.createVillage({ name: 'bench' })
  const grid = gw.places.createGrid({ villageId: village.id, name: 'g' })
  const creds: Array<{ id: string, secret: string }> = []
  gw.db.transaction(() => {
    for (let h = 0; h < DEVICES / 2; h++) {
      const home = gw.places.createHome({ gridId: grid.id, label: `bench ${h}` })
      for (let s = 0; s < 2; s++) creds.push(gw.devices.register('sensor', { homeId: home.id }))
    }
  })()

  console.log(`connecting ${creds.length} devices at once from ${WORKERS} worker processes ...`)
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  const worker = fileURLToPath(new URL('./connect-worker.ts', import.meta.url))
  const share = Math.ceil(creds.length / WORKERS)
  const children = Array.from({ length: WORKERS }, () => fork(worker, [], { execArgv: ['--import', 'tsx'] }))
  children.forEach((c, i) => c.send({ url: gw.urls.mqtt, creds: creds.slice(i * share, (i + 1) * share) }))
  const reports = await Promise.all(children.map((c) => new Promise<{ connected: number, failed: number, ms: number, cpuMs: number }>((resolve) => c.once('message', resolve))))
  const wallMs = performance.now() - started
  const cpu = process.cpuUsage(cpuBefore)
  const gatewayCpuMs = (cpu.user + cpu.system) / 1000

  // What a slow KDF would cost per connect (scrypt with Node's defaults, N=16384, r=8, p=1).
  const kdfStarted = performance.now()
  for (let i = 0; i < 20; i++) scryptSync(randomBytes(32), randomBytes(16), 64)
  const scryptMs = (performance.now() - kdfStarted) / 20

  const connected = reports.reduce((n, r) => n + r.connected, 0)
  const result = {
    date: new Date().toISOString(),
    devices: creds.length,
    workers: WORKERS,
    connected,
    failed: reports.reduce((n, r) => n + r.failed, 0),
    wallSeconds: +(wallMs / 1000).toFixed(2),
    connectsPerSecond: Math.round(connected / (wallMs / 1000)),
    gatewayCpuMsTotal: Math.round(gatewayCpuMs),
    gatewayCpuUsPerConnect: Math.round((gatewayCpuMs * 1000) / Math.max(1, connected)),
    generatorCpuMsTotal: Math.round(reports.reduce((n, r) => n + r.cpuMs, 0)),
    scryptMsPerHash: +scryptMs.toFixed(1),
    scryptSecondsFor10k: Math.round((scryptMs * 10_000) / 1000),
    connectedDevicesMetric: Number(/anju_mqtt_connected_devices\{kind="sensor"\} (\d+)/.exec(await gw.metrics.registry.metrics())?.[1])
  }
  console.table(result)
  mkdirSync('bench/results', { recursive: true })
  writeFileSync(join('bench/results', `reconnect-storm-${Date.now()}.json`), JSON.stringify(result, null, 2))
  for (const c of children) c.send('stop')
  await Promise.all(children.map((c) => new Promise((resolve) => c.once('exit', resolve))))
} finally {
  await gw.close()
  rmSync(dataDir, { recursive: true, force: true })
}
