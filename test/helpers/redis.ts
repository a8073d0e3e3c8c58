// A real Redis (Debian's `redis-server`, `apt-get install redis-server`) on a temp dir and a free loopback
// port, for the cluster tests. Nothing is persisted: in cluster mode Redis holds leases and streams only.
// Locally a missing redis-server skips loudly; under CI=true it fails (see system-service.ts).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, beforeEach } from 'vitest'
import { describeWithService, freePort, type RunningService } from './system-service.ts'

/** `url`: redis://127.0.0.1:<port>. Nothing is persisted. */
export type RedisServer = RunningService

const INSTALL_HINT = 'apt-get install redis-server'

let available: boolean | undefined
export function redisAvailable (): boolean {
  available ??= spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0
  return available
}

// A raw inline PING over TCP, so the helper does not depend on the client under test to say Redis is up.
async function pings (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    let answer = ''
    const done = (ok: boolean): void => { socket.destroy(); resolve(ok) }
    socket.setTimeout(1000, () => done(false))
    socket.on('error', () => done(false))
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString()
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'))
    })
  })
}

async function waitForPing (port: number, child: ChildProcess, output: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${output()}`)
    if (await pings(port)) return
    await new Promise((resolve) => setTimeout(resolve, 30))
  }
  throw new Error(`redis-server did not answer PING within ${timeoutMs} ms: ${output()}`)
}

export async function startRedis (): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'anju-redis-'))
  const port = await freePort()
  let output = ''
  // `--save ''` and `--appendonly no`: no RDB or AOF files, so a test never reads a previous run's state.
  const child = spawn('redis-server', [
    '--bind', '127.0.0.1', '--port', String(port), '--dir', dir,
    '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--loglevel', 'warning'
  ], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
  const keep = (chunk: Buffer): void => { output = (output + chunk.toString()).slice(-4000) }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  try {
    await waitForPing(port, child, () => output)
  } catch (err) {
    child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
  const running = (): boolean => child.exitCode === null && child.signalCode === null
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop () {
      if (running()) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
        await exited
        clearTimeout(timer)
      } else {
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    },
    kill () { if (running()) child.kill('SIGKILL') }
  }
}

/** describe() that needs redis-server (see system-service.ts: loud skip locally, a failure under CI=true). */
export function describeWithRedis (name: string, fn: () => void): void {
  describeWithService({ service: 'redis-server', available: redisAvailable, installHint: INSTALL_HINT }, name, fn)
}

/**
 * One redis-server for the enclosing describe(), emptied before each test. `admin` is a plain commands
 * connection for setting up and inspecting; the objects are there once beforeAll has run.
 */
export function useRedis (): { server: RedisServer, admin: Redis } {
  const handle = {} as { server: RedisServer, admin: Redis }
  beforeAll(async () => {
    handle.server = await startRedis()
    handle.admin = new Redis(handle.server.url)
  })
  afterAll(async () => {
    handle.admin?.disconnect()
    await handle.server?.stop()
  })
  beforeEach(async () => { await handle.admin.flushall() })
  return handle
}
