// The admin API's bearer token: from config, or generated once and kept in <dataDir>/admin-token with
// owner-only permissions. It is never logged; the log says where it is.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateSecret } from './registry/secrets.ts'

export function adminTokenPath (dataDir: string): string {
  return join(dataDir, 'admin-token')
}

export function resolveAdminToken (configured: string | undefined, dataDir: string): { token: string, source: 'config' | 'file' | 'generated' } {
  if (configured !== undefined) return { token: configured, source: 'config' }
  const path = adminTokenPath(dataDir)
  if (existsSync(path)) return { token: readFileSync(path, 'utf8').trim(), source: 'file' }
  mkdirSync(dataDir, { recursive: true })
  const token = generateSecret()
  writeFileSync(path, token + '\n', { mode: 0o600 })
  return { token, source: 'generated' }
}
