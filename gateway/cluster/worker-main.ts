// `npm run worker`: one gateway worker of a cluster (docs/cluster.md). Same configuration as the gateway
// (ANJU_* variables), plus ANJU_CLUSTER_* for Redis, PostgreSQL and the external broker.
import { ConfigError, loadConfigOrExit } from '../config/load-config.ts'
import { startWorker } from './worker.ts'

async function main (): Promise<void> {
  const config = loadConfigOrExit()
  let worker
  try {
    worker = await startWorker(config)
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message)
      process.exit(2)
    }
    throw err
  }
  const stop = async (): Promise<void> => {
    await worker.close()
    process.exit(0)
  }
  process.once('SIGINT', () => { void stop() })
  process.once('SIGTERM', () => { void stop() })
}

main().catch((err: unknown) => {
  console.error('worker failed to start:', err instanceof Error ? err.message : err)
  process.exit(1)
})
