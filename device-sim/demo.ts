// `npm run demo`: a gateway and a simulated village in one process, for a first look. Starts the real
// gateway (config from the usual ANJU_* variables, defaults: HTTP 8080, MQTT 1883, data in ./data),
// seeds 山下庄村 once (two grids, eight homes, residents, family contacts, grid workers), keeps the
// device secrets in <dataDir>/demo-devices.json so a second run reuses them, and runs the village at
// 60× from 06:30 village time. This is the one device-sim file allowed to import the gateway.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { build } from '../gateway/build.ts'
import { ConfigError, loadConfig } from '../gateway/config/load-config.ts'
import { seedDemoContent } from '../gateway/content/demo-content.ts'
import { readDevicesFile, writeDevicesFile, type DevicesFile } from './devices-file.ts'
import { AdminApi, findVillage, provisionVillage, recoverDevices } from './provision.ts'
import { startSimulation, type Log, type SimRun } from './run-sim.ts'
import { parseStart } from './sim-time.ts'
import { planVillage } from './village-plan.ts'

const VILLAGE = '山下庄村'
const SEED = 7
const SPEED = 60
const plan = planVillage({ seed: SEED, homes: 8, hubRatio: 0.25, grids: 2, labelPrefix: '山下庄' })

/** The demo village: seeded on the first run, found (never duplicated) on later ones. */
async function demoVillage (api: AdminApi, devicesPath: string, log: Log): Promise<DevicesFile> {
  const village = await findVillage(api, VILLAGE)
  if (village !== undefined && existsSync(devicesPath)) {
    const file = readDevicesFile(devicesPath)
    if (file.villageId === village.id) {
      log(`reusing ${VILLAGE} and its devices from ${devicesPath}`)
      return file
    }
  }
  let file: DevicesFile
  if (village === undefined) {
    log(`seeding ${VILLAGE}: 2 grids, ${plan.length} homes, residents, family contacts, sensors and hubs`)
    file = await provisionVillage(api, { villageName: VILLAGE, gridNames: ['第一网格', '第二网格'], plan, seed: SEED, people: true })
  } else {
    // The village exists but its secrets were lost (the file was deleted): rotate them rather than duplicate.
    log(`${VILLAGE} exists but ${devicesPath} does not match it: rotating its device secrets`)
    file = await recoverDevices(api, village, SEED, plan)
    if (file.homes.length === 0) file = await provisionVillage(api, { village, villageName: VILLAGE, gridNames: ['第一网格', '第二网格'], plan, seed: SEED, people: true })
  }
  writeDevicesFile(devicesPath, file)
  return file
}

/** The handful of gateway metrics a first-time user wants to see move. */
async function gatewayLine (metricsUrl: string): Promise<string> {
  const text = await (await fetch(metricsUrl)).text()
  const value = (pattern: RegExp): number =>
    text.split('\n').filter((l) => pattern.test(l)).reduce((sum, l) => sum + Number(l.split(' ').pop()), 0)
  return `gateway: connected sensors ${value(/^anju_mqtt_connected_devices\{kind="sensor"\}/)} hubs ${value(/^anju_mqtt_connected_devices\{kind="hub"\}/)}` +
    ` · messages in ${value(/^anju_messages_in_total\{/)} · activity events ${value(/^anju_activity_events_total /)}` +
    ` · dropped ${value(/^anju_messages_dropped_total\{/)}`
}

async function main (): Promise<void> {
  const log: Log = (line) => console.log(line)
  // The demo prints its own readable lines; the gateway's JSON logs stay at warn unless ANJU_LOG_LEVEL says otherwise.
  const config = loadConfig({ ANJU_LOG_LEVEL: 'warn', ...process.env })
  const gw = await build(config)
  const metricsUrl = `${gw.urls.http}/metrics`
  let stopping = false
  // Filled in as the demo comes up; a Ctrl-C during start-up stops whatever exists so far.
  const live: { run?: SimRun, metricsTimer?: NodeJS.Timeout } = {}
  const stop = async (why: string): Promise<void> => {
    if (stopping) return
    stopping = true
    log(`stopping (${why})`)
    clearInterval(live.metricsTimer)
    await live.run?.stop()
    await gw.close()
    process.exit(0)
  }
  process.once('SIGINT', () => { void stop('SIGINT') })
  process.once('SIGTERM', () => { void stop('SIGTERM') })

  const api = new AdminApi(gw.urls.http, gw.adminToken)
  const file = await demoVillage(api, join(config.dataDir, 'demo-devices.json'), log)
  // The TV app is never empty: notices, the meeting calendar, medical visits and finance statements.
  if (gw.content.tvContent(file.villageId, null).notices.length === 0) {
    const seeded = await seedDemoContent(gw.content, file.villageId)
    log(`seeding ${VILLAGE}'s TV content: ${JSON.stringify(seeded)}`)
  }
  log('')
  log(`Anju demo: gateway + ${VILLAGE} (${file.homes.length} homes, simulated at ${SPEED}×)`)
  log(`  HTTP     ${gw.urls.http}`)
  log(`  API docs ${gw.urls.docs}`)
  log(`  metrics  ${metricsUrl}`)
  log(`  MQTT     ${gw.urls.mqtt}   (WebSocket ${gw.urls.ws})`)
  log(`  TV app   ${gw.urls.http}/tv/   (arrows, Enter = OK, Esc = Back; pair it to a home with the code it shows:`)
  log(`           curl -H "authorization: Bearer ${gw.adminToken}" -H "content-type: application/json" \\`)
  log(`             -d '{"code":"<code>","homeId":"${file.homes[0]?.homeId ?? '<homeId>'}","by":"demo"}' ${gw.urls.http}/api/v1/screens/pair)`)
  log(`  admin token ${gw.adminToken}`)
  log(`  try: curl -H "authorization: Bearer ${gw.adminToken}" ${gw.urls.http}/api/v1/devices`)
  log('  Ctrl-C stops the demo.')
  log('')
  live.run = await startSimulation(file, {
    mqttUrl: gw.urls.mqtt,
    seed: file.seed,
    speed: SPEED,
    // Mornings are lively (getting up, bathroom, breakfast); a demo started at 3 a.m. would show sleep.
    start: parseStart('06:30', Date.now()),
    scenarios: [],
    flood: 0,
    heartbeatSeconds: 300,
    timestamps: 'auto',
    progressSeconds: 10,
    log
  })
  live.metricsTimer = setInterval(() => { gatewayLine(metricsUrl).then(log, (err: Error) => log(`gateway metrics unavailable: ${err.message}`)) }, 15_000)
  void gatewayLine(metricsUrl).then(log)
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : `demo failed: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
})
