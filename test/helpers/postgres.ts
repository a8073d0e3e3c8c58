// A real PostgreSQL (Debian's `postgresql` package) on a temp dir and a free loopback port, for the cluster
// tests. PostgreSQL refuses to run as root, so when the tests run as root the server runs as the
// `postgres` system user the package creates. Locally a missing server skips loudly; under CI=true it
// fails (system-service.ts).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { describeWithService, freePort, type RunningService } from './system-service.ts'

/**
 * `url`: postgres://anju@127.0.0.1:<port>/anju (trust authentication: no password). `stop()` waits up to
 * 3 s for clients to leave; `kill()` SIGKILLs the postmaster.
 */
export type Postgres = RunningService

const INSTALL_HINT = 'apt-get install postgresql   (Debian/Ubuntu: PostgreSQL 15, what cluster mode runs on)'
const ROOT = '/usr/lib/postgresql'

/** The newest installed server's bin directory (Debian installs each major version side by side). */
function binDir (): string | null {
  if (!existsSync(ROOT)) return null
  const versions = readdirSync(ROOT)
    .filter((v) => existsSync(join(ROOT, v, 'bin', 'postgres')))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
  return versions[0] === undefined ? null : join(ROOT, versions[0], 'bin')
}

/** uid/gid to run the server as: ourselves, unless we are root (the server refuses root). */
function serverUser (): { uid: number, gid: number } | null {
  if (userInfo().uid !== 0) return { uid: userInfo().uid, gid: userInfo().gid }
  const id = (flag: string): number => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim())
  const uid = id('-u')
  return Number.isInteger(uid) && uid > 0 ? { uid, gid: id('-g') } : null
}

let available: boolean | undefined
export function postgresAvailable (): boolean {
  available ??= binDir() !== null && serverUser() !== null
  return available
}

async function waitForConnect (url: string, child: ChildProcess, output: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}: ${output()}`)
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 })
    try {
      await client.connect()
      await client.end()
      return
    } catch {
      // Not accepting connections yet (or still in recovery).
      await client.end().catch(() => {})
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`postgres did not accept connections within ${timeoutMs} ms: ${output()}`)
}

export async function startPostgres (): Promise<Postgres> {
  const bin = binDir()
  const user = serverUser()
  if (bin === null || user === null) throw new Error(`postgres is not installed: ${INSTALL_HINT}`)
  const dir = mkdtempSync(join(tmpdir(), 'anju-pg-'))
  chownSync(dir, user.uid, user.gid)
  chmodSync(dir, 0o700)
  const dataDir = join(dir, 'data')
  const port = await freePort()
  const asServer = { uid: user.uid, gid: user.gid }

  const init = spawnSync(join(bin, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'anju', '-E', 'UTF8', '--locale=C', '--no-sync'],
    { ...asServer, encoding: 'utf8', cwd: dir })
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`)

  let stderr = ''
  const child = spawn(join(bin, 'postgres'), [
    '-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-k', dir,
    // Test-only speedups: a test database is thrown away, so crash safety buys nothing here. Never in
    // production: fsync=off can corrupt the database on a power loss.
    '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'synchronous_commit=off'
  ], { ...asServer, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
  child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000) })

  const admin = `postgres://anju@127.0.0.1:${port}/postgres`
  try {
    await waitForConnect(admin, child, () => stderr)
    const client = new pg.Client({ connectionString: admin })
    await client.connect()
    await client.query('CREATE DATABASE anju')
    await client.end()
  } catch (err) {
    child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
    throw err
  }

  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
  return {
    url: `postgres://anju@127.0.0.1:${port}/anju`,
    port,
    async stop () {
      if (child.exitCode === null && child.signalCode === null) {
        // SIGTERM is the "smart" shutdown: it lets clients that are closing finish (a fast shutdown would
        // send them an error they no longer listen for: an uncaught exception in the test). A test that
        // left a connection open gets the "fast" one (SIGINT) after 3 s, then SIGKILL.
        child.kill('SIGTERM')
        const fast = setTimeout(() => child.kill('SIGINT'), 3000)
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(fast)
        clearTimeout(kill)
      }
      rmSync(dir, { recursive: true, force: true })
    },
    kill () { child.kill('SIGKILL') }
  }
}

/** describe() that needs PostgreSQL (see system-service.ts: loud skip locally, a failure under CI=true). */
export function describeWithPostgres (name: string, fn: () => void): void {
  describeWithService({ service: 'postgres', available: postgresAvailable, installHint: INSTALL_HINT }, name, fn)
}
