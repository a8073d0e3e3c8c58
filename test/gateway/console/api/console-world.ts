// Two villages, each with two grids and a home per grid, and one signed-in console user per role and
// scope, on a real gateway over real HTTP. Every boundary test starts here.
import type { Role } from '../../../../gateway/console/auth/principal.ts'
import type { Scope } from '../../../../gateway/console/auth/user-store.ts'
import { createUser, signIn, type ConsoleClient } from '../../../helpers/console-session.ts'
import type { TestGateway } from '../../../helpers/start-gateway.ts'

export interface Village { id: string, grids: [string, string], homes: [string, string] }
export interface World {
  a: Village
  b: Village
  as: (role: Role, scope?: Partial<Scope>) => Promise<ConsoleClient>
}

async function village (gw: TestGateway, key: string, name: string): Promise<Village> {
  const ok = async <T>(path: string, body: unknown): Promise<T> => {
    const res = await gw.api<T>('POST', path, body)
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`)
    return res.body
  }
  const v = await ok<{ id: string }>('/api/v1/villages', { id: `vil-${key}`, name })
  const g1 = await ok<{ id: string }>('/api/v1/grids', { id: `grid-${key}1`, villageId: v.id, name: '第一网格' })
  const g2 = await ok<{ id: string }>('/api/v1/grids', { id: `grid-${key}2`, villageId: v.id, name: '第二网格' })
  const h1 = await ok<{ id: string }>('/api/v1/homes', { id: `home-${key}1`, gridId: g1.id, label: `${name} 1号` })
  const h2 = await ok<{ id: string }>('/api/v1/homes', { id: `home-${key}2`, gridId: g2.id, label: `${name} 2号` })
  await ok('/api/v1/residents', { id: `res-${key}1`, homeId: h1.id, name: '王阿婆', birthYear: 1941 })
  return { id: v.id, grids: [g1.id, g2.id], homes: [h1.id, h2.id] }
}

export async function makeWorld (gw: TestGateway): Promise<World> {
  const a = await village(gw, 'a', '山下庄村')
  const b = await village(gw, 'b', '横街村')
  return {
    a,
    b,
    async as (role, scope) {
      const u = await createUser(gw, { role, scope })
      return signIn(gw, u.username, u.password)
    }
  }
}

/** A month of a village ledger as the accounting software exports it (a 1,000s separator, a 2025/3/10 date). */
export const GOOD_CSV = [
  '日期,凭证号,科目代码,科目名称,摘要,收入,支出,经办人,审批人',
  '2025-03-02,记-001,501,经营收入,村集体厂房租金,"12,000.00",,王会计,李书记',
  '2025/3/10,记-002,541,管理费用,办公用品,,356.50,王会计,李书记',
  '2025-03-15,记-003,502,发包及上交收入,鱼塘承包费,8000,,王会计,李书记',
  '2025-03-28,记-004,541,管理费用,村务公开栏维修,,1200,王会计,李书记'
].join('\r\n')
