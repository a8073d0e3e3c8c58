// Run the real `anju` command (bin/anju.js) as a child process against a given data dir. Async on
// purpose: a gateway started in the test process must keep answering while the CLI talks to it.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const BIN = fileURLToPath(new URL('../../../bin/anju.js', import.meta.url))

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** The test runner's own ANJU_* variables (ANJU_TEST_LOG, ...) would be refused by the config loader. */
function cliEnv (dataDir: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ANJU_')))
  return { ...env, ANJU_DATA_DIR: dataDir, ANJU_LOG_LEVEL: 'silent', ...extra }
}

export function runCli (dataDir: string, args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: cliEnv(dataDir, extraEnv), timeout: 20_000 }, (err, stdout, stderr) => {
      if (err !== null && typeof err.code !== 'number') return reject(err)
      resolve({ code: err === null ? 0 : err.code as number, stdout, stderr })
    })
  })
}

/** Run, expect exit code 0, parse stdout as JSON. */
export async function cliJson<T = Record<string, unknown>> (dataDir: string, args: string[]): Promise<T> {
  const res = await runCli(dataDir, [...args, '--json'])
  if (res.code !== 0) throw new Error(`anju ${args.join(' ')} exited ${res.code}: ${res.stderr}`)
  return JSON.parse(res.stdout) as T
}

/** A village, grid and home made through the CLI. */
export async function cliHome (dataDir: string): Promise<{ villageId: string, gridId: string, homeId: string }> {
  const v = await cliJson<{ id: string }>(dataDir, ['village', 'add', '--name', '山下庄村'])
  const g = await cliJson<{ id: string }>(dataDir, ['grid', 'add', '--village', v.id, '--name', '第一网格'])
  const h = await cliJson<{ id: string }>(dataDir, ['home', 'add', '--grid', g.id, '--label', '山下庄 12号'])
  return { villageId: v.id, gridId: g.id, homeId: h.id }
}
