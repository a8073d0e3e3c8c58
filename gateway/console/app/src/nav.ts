// Which pages each role sees. The server enforces access; this only keeps a grid worker's phone from
// showing menus that would answer 403.
import type { Role } from './api.ts'

export interface NavItem { path: string, label: string, roles: Role[] }

export const NAV: NavItem[] = [
  { path: 'alerts', label: '告警', roles: ['admin', 'clerk', 'grid_worker', 'family'] },
  { path: 'homes', label: '住户', roles: ['admin', 'clerk', 'grid_worker', 'family'] },
  { path: 'devices', label: '设备', roles: ['admin', 'clerk', 'grid_worker'] },
  { path: 'screens', label: '电视', roles: ['admin', 'clerk'] },
  { path: 'notices', label: '公告', roles: ['admin', 'clerk'] },
  { path: 'broadcast', label: '紧急广播', roles: ['admin', 'clerk'] },
  { path: 'finance', label: '财务公开', roles: ['admin', 'clerk', 'reviewer'] },
  // Clerks manage their villages' family accounts (the server limits what they may create).
  { path: 'users', label: '用户', roles: ['admin', 'clerk'] }
]

export function navFor (role: Role): NavItem[] { return NAV.filter((n) => n.roles.includes(role)) }

/** '#/finance/abc' → ['finance', 'abc']. */
export function parseHash (hash: string): string[] {
  return hash.replace(/^#\/?/, '').split('/').filter((p) => p !== '').map(decodeURIComponent)
}
