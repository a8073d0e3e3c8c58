// `npm start`: load the configuration, build the gateway, stop cleanly on SIGINT/SIGTERM.
import { loadConfigOrExit } from './config/load-config.ts'
import { build } from './build.ts'

async function main (): Promise<void> {
  const config = loadConfigOrExit()
  const gateway = await build(config)
  gateway.log.info({ http: gateway.urls.http, mqtt: gateway.urls.mqtt, ws: gateway.urls.ws, docs: gateway.urls.docs }, 'Anju gateway ready')
  const stop = async (signal: string): Promise<void> => {
    gateway.log.info({ signal }, 'stopping')
    await gateway.close()
    process.exit(0)
  }
  process.once('SIGINT', () => { void stop('SIGINT') })
  process.once('SIGTERM', () => { void stop('SIGTERM') })
}

main().catch((err: unknown) => {
  console.error('gateway failed to start:', err instanceof Error ? err.message : err)
  process.exit(1)
})
