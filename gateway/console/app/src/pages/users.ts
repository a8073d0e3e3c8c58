/// <reference lib="dom" />
// 用户 (admin): accounts with a role and a scope (villages, grids or one home). A new account gets a
// one-time password from the server, shown once here; its owner must change it at first sign-in.
import { useState } from 'preact/hooks'
import { get, patch, post, type Session, type User } from '../api.ts'
import { html } from '../html.ts'
import { Card, Field, ROLE, Status, useAction, useLoad } from '../ui.ts'

const val = (e: Event): string => (e.target as HTMLInputElement).value
const ids = (s: string): string[] => s.split(/[\s,，]+/).filter((x) => x !== '')

type Managed = User & { disabled?: boolean }

export function Users ({ session }: { session: Session }): unknown {
  const users = useLoad(async () => (await get<{ users: Managed[] }>('/users')).users)
  const [u, setU] = useState({ username: '', displayName: '', role: 'clerk', villageIds: '', gridIds: '', homeIds: '' })
  const [created, setCreated] = useState<string | null>(null)
  const act = useAction()
  const submit = (e: Event): void => {
    e.preventDefault(); setCreated(null)
    void act.run(async () => {
      const r = await post<{ user: User, oneTimePassword: string }>('/users', {
        username: u.username.trim(), displayName: u.displayName.trim(), role: u.role,
        scope: { villageIds: ids(u.villageIds), gridIds: ids(u.gridIds), homeIds: ids(u.homeIds) }
      })
      setCreated(`账号「${r.user.username}」已建立，一次性密码：${r.oneTimePassword}（只显示这一次，首次登录须修改）`)
      setU({ ...u, username: '', displayName: '' }); users.reload()
    })
  }
  const reset = (x: Managed) => (): void => {
    if (!confirm(`为「${x.displayName}」重置密码？其当前登录将被结束。`)) return
    setCreated(null)
    void act.run(async () => { const r = await post<{ oneTimePassword: string }>('/users/' + encodeURIComponent(x.id) + '/reset-password', {}); setCreated(`「${x.username}」的新一次性密码：${r.oneTimePassword}（只显示这一次）`) })
  }
  const toggle = (x: Managed) => (): void => { void act.run(async () => { await patch('/users/' + encodeURIComponent(x.id), { disabled: x.disabled !== true }); users.reload() }) }
  const scopeText = (x: User): string => [...x.scope.villageIds, ...x.scope.gridIds, ...x.scope.homeIds].join('、') || '全部'
  return html`<${Card} title="用户">
      <${Status} loading=${users.loading && users.data === null} error=${users.error} />
      <div class="table-wrap"><table><thead><tr><th scope="col">用户名</th><th scope="col">姓名</th><th scope="col">角色</th><th scope="col">范围</th><th scope="col">操作</th></tr></thead>
        <tbody>${(users.data ?? []).map((x) => html`<tr><td>${x.username}</td><td>${x.displayName}</td><td>${ROLE[x.role] ?? x.role}</td><td>${scopeText(x)}</td>
          <td>${x.id === session.user.id ? '（本人）' : html`<button disabled=${act.busy} onClick=${reset(x)}>重置密码</button> <button disabled=${act.busy} onClick=${toggle(x)}>${x.disabled === true ? '启用' : '停用'}</button>`}</td></tr>`)}</tbody></table></div>
    <//>
    <${Card} title="新建用户"><form onSubmit=${submit}>
      <div class="row-form">
        <${Field} label="用户名">${(id: string) => html`<input id=${id} required autocomplete="off" value=${u.username} onInput=${(e: Event) => setU({ ...u, username: val(e) })} />`}<//>
        <${Field} label="姓名">${(id: string) => html`<input id=${id} required value=${u.displayName} onInput=${(e: Event) => setU({ ...u, displayName: val(e) })} />`}<//>
        <${Field} label="角色">${(id: string) => html`<select id=${id} value=${u.role} onChange=${(e: Event) => setU({ ...u, role: val(e) })}>${Object.keys(ROLE).map((k) => html`<option value=${k}>${ROLE[k]}</option>`)}</select>`}<//>
      </div>
      <div class="row-form">
        <${Field} label="村 ID（逗号分隔）">${(id: string) => html`<input id=${id} value=${u.villageIds} onInput=${(e: Event) => setU({ ...u, villageIds: val(e) })} />`}<//>
        <${Field} label="网格 ID">${(id: string) => html`<input id=${id} value=${u.gridIds} onInput=${(e: Event) => setU({ ...u, gridIds: val(e) })} />`}<//>
        <${Field} label="住户 ID（家属）">${(id: string) => html`<input id=${id} value=${u.homeIds} onInput=${(e: Event) => setU({ ...u, homeIds: val(e) })} />`}<//>
      </div>
      ${act.error !== null ? html`<p class="error" role="alert">${act.error}</p>` : null}
      ${created !== null ? html`<p class="ok" role="status">${created}</p>` : null}
      <button class="primary" type="submit" disabled=${act.busy}>建立账号</button>
    </form><//>`
}
