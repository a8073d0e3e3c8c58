// A real Mosquitto 2 (Debian's `/usr/sbin/mosquitto`, `apt-get install mosquitto`) on a temp dir and a
// free loopback port, for the cluster-mode tests (docs/cluster.md), optionally with the dynamic security
// plugin and an admin client. Locally a missing mosquitto skips loudly; under CI=true it fails.
// (bench/lib/mosquitto-target.ts starts one too, but as a benchmark child process with its own
// subscriber and no auth; nothing there is a function a test could call.)
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeWithService, freePort, type RunningService } from './system-service.ts'

const MOSQUITTO = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto'
const MOSQUITTO_CTRL = process.env.MOSQUITTO_CTRL_BIN ?? '/usr/bin/mosquitto_ctrl'
const DYNSEC_PLUGIN = process.env.MOSQUITTO_DYNSEC_PLUGIN ?? '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so'
const INSTALL_HINT = 'apt-get install mosquitto   (Debian/Ubuntu: Mosquitto 2 with mosquitto_ctrl and the dynamic security plugin)'
/** Keep this much of mosquitto's stderr, for the error message when it fails. */
const STDERR_KEEP = 8192

/** `url`: mqtt://127.0.0.1:<port>. `stop()` is safe to call twice and after kill(). */
export interface Mosquitto extends RunningService {
  /** The dynamic security plugin's JSON file (the plugin rewrites it on every change). */
  dynsecFile?: string
}

export interface MosquittoOptions {
  /** Turn on the dynamic security plugin with this admin client (and refuse anonymous clients). */
  dynsec?: { adminUser: string, adminPassword: string }
}

let available: boolean | undefined
export function mosquittoAvailable (): boolean {
  available ??= existsSync(MOSQUITTO) && spawnSync(MOSQUITTO, ['-h'], { stdio: 'ignore' }).error === undefined &&
    existsSync(MOSQUITTO_CTRL) && existsSync(DYNSEC_PLUGIN)
  return available
}

export function describeWithMosquitto (name: string, fn: () => void): void {
  describeWithService({ service: 'mosquitto', available: mosquittoAvailable, installHint: INSTALL_HINT }, name, fn)
}

function config (port: number, dynsecFile: string | undefined): string {
  return [
    // One set of security settings for the whole broker, so the plugin applies to every listener.
    'per_listener_settings false',
    `listener ${port} 127.0.0.1`,
    `allow_anonymous ${dynsecFile === undefined ? 'true' : 'false'}`,
    'persistence false',
    // Run as root (a container), Mosquitto would drop to the `mosquitto` user, who cannot write the temp dir.
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    ...(dynsecFile === undefined ? [] : [`plugin ${DYNSEC_PLUGIN}`, `plugin_opt_config_file ${dynsecFile}`]),
    ''
  ].join('\n')
}

async function tcpReachable (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => { socket.destroy(); resolve(false) })
  })
}

export async function startMosquitto (options: MosquittoOptions = {}): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'anju-mosquitto-'))
  const port = await freePort()
  let dynsecFile: string | undefined
  if (options.dynsec !== undefined) {
    dynsecFile = join(dir, 'dynamic-security.json')
    const init = spawnSync(MOSQUITTO_CTRL, ['dynsec', 'init', dynsecFile, options.dynsec.adminUser, options.dynsec.adminPassword], { encoding: 'utf8' })
    if (init.status !== 0) {
      rmSync(dir, { recursive: true, force: true })
      throw new Error(`mosquitto_ctrl dynsec init failed (${String(init.status ?? init.error)}): ${init.stderr}`)
    }
  }
  const configPath = join(dir, 'mosquitto.conf')
  writeFileSync(configPath, config(port, dynsecFile))

  const child = spawn(MOSQUITTO, ['-c', configPath], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => { stderr = (stderr + chunk).slice(-STDERR_KEEP) })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let spawnError: Error | undefined
  child.once('error', (err) => { spawnError = err })

  let stopped = false
  const mosquitto: Mosquitto = {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    dynsecFile,
    kill () {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    },
    async stop () {
      if (stopped) return
      stopped = true
      if (child.exitCode === null && child.signalCode === null && spawnError === undefined) {
        child.kill('SIGTERM')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    }
  }

  const deadline = Date.now() + 10_000
  for (;;) {
    if (spawnError !== undefined || child.exitCode !== null || child.signalCode !== null) {
      await mosquitto.stop()
      throw new Error(`mosquitto exited before listening (${String(spawnError?.message ?? child.exitCode ?? child.signalCode)}): ${stderr.trim()}`)
    }
    if (await tcpReachable(port)) return mosquitto
    if (Date.now() > deadline) {
      await mosquitto.stop()
      throw new Error(`mosquitto did not listen on 127.0.0.1:${port} within 10 s: ${stderr.trim()}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
