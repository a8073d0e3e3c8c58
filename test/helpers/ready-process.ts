// A child process that a test starts and waits for: `node --import tsx <script>`, ready when it prints
// a line the caller recognises (the gateway's "Anju gateway ready" log line, a cluster worker's
// {"ready": url}). Used by test/faults/gateway-process.ts and test/cluster/cluster-harness.ts.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const REPO = fileURLToPath(new URL('../../', import.meta.url))
/** Output kept for error messages: the end of it is where a failed start-up says why. */
const KEPT = 8000

export interface ReadyProcess<T> {
  child: ChildProcess
  /** What `ready` made of the ready line. */
  ready: T
  /** Sends the signal (unless the process has already gone) and resolves when it has exited. */
  signal(signal: NodeJS.Signals): Promise<void>
}

export interface ReadyProcessOptions<T> {
  /** Script path from the repository root. */
  script: string
  env: NodeJS.ProcessEnv
  /** For error messages ("worker w1", "gateway"). */
  name: string
  /** The ready value if this complete stdout line is the ready line, else undefined. */
  ready: (line: string) => T | undefined
  /** Called before any output is read (e.g. to copy the output to a log file). */
  onSpawn?: (child: ChildProcess) => void
  timeoutMs?: number
  /** How much of the output's end an error message shows. */
  tailChars?: number
}

/** Starts the script and waits for its ready line; a process that exits or times out first is an error. */
export async function startReadyProcess<T> (options: ReadyProcessOptions<T>): Promise<ReadyProcess<T>> {
  const { name, timeoutMs = 60_000, tailChars = 2000 } = options
  const child = spawn(process.execPath, ['--import', 'tsx', options.script], { cwd: REPO, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const signal = async (sig: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig)
    await exited
  }
  options.onSpawn?.(child)
  let output = ''
  let partial = ''
  child.stderr?.on('data', (c: Buffer) => { output = (output + c.toString()).slice(-KEPT) })
  try {
    const ready = await new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} not ready within ${timeoutMs / 1000} s: ${output.slice(-tailChars)}`)), timeoutMs)
      let found = false
      // Read for the whole life of the process, not only until ready: a full pipe would block its logging.
      child.stdout?.on('data', (c: Buffer) => {
        const text = c.toString()
        output = (output + text).slice(-KEPT)
        if (found) return
        // Only whole lines: a chunk may end mid-line (a ready line cut in two would not parse).
        const lines = (partial + text).split('\n')
        partial = lines.pop() ?? ''
        for (const line of lines) {
          const value = options.ready(line)
          if (value !== undefined) { found = true; clearTimeout(timer); resolve(value); return }
        }
      })
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${name} exited with ${String(code)}: ${output.slice(-tailChars)}`)) })
    })
    return { child, ready, signal }
  } catch (err) {
    // Not ready in time: do not leave it running behind the failed test.
    await signal('SIGKILL')
    throw err
  }
}
