/// <reference lib="dom" />
// Sign-in and the forced change of a one-time or reset password.
import { useState } from 'preact/hooks'
import { post, type Session } from '../api.ts'
import { html } from '../html.ts'
import { Field, useAction } from '../ui.ts'

export function Login ({ onSession }: { onSession: (s: Session) => void }): unknown {
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const act = useAction()
  const submit = (e: Event): void => {
    e.preventDefault()
    void act.run(async () => { onSession(await post<Session>('/session', { username: username.trim(), password })) })
  }
  return html`<main class="login" id="main"><form class="card" onSubmit=${submit} aria-labelledby="login-title">
    <h1 id="login-title">安居 · 管理后台</h1>
    <${Field} label="用户名">${(id: string) => html`<input id=${id} name="username" autocomplete="username" required value=${username} onInput=${(e: Event) => setUsername((e.target as HTMLInputElement).value)} />`}<//>
    <${Field} label="密码">${(id: string) => html`<input id=${id} name="password" type="password" autocomplete="current-password" required value=${password} onInput=${(e: Event) => setPassword((e.target as HTMLInputElement).value)} />`}<//>
    ${act.error !== null ? html`<p class="error" role="alert">${act.error}</p>` : null}
    <button class="primary big" type="submit" disabled=${act.busy}>登录</button>
  </form></main>`
}

export function ChangePassword ({ forced, onDone }: { forced: boolean, onDone: () => void }): unknown {
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState('')
  const [again, setAgain] = useState('')
  const act = useAction()
  const submit = (e: Event): void => {
    e.preventDefault()
    if (next !== again) { act.setError('两次输入的新密码不一致'); return }
    if (next.length < 10) { act.setError('新密码至少 10 位'); return }
    void act.run(async () => { await post('/session/password', { current, next }); onDone() })
  }
  const input = (value: string, set: (v: string) => void, name: string, auto: string) => (id: string) =>
    html`<input id=${id} name=${name} type="password" autocomplete=${auto} required value=${value} onInput=${(e: Event) => set((e.target as HTMLInputElement).value)} />`
  return html`<form class="card narrow" onSubmit=${submit} aria-labelledby="pw-title">
    <h1 id="pw-title">修改密码</h1>
    ${forced ? html`<p class="notice">首次登录或密码已重置，请先设置新密码。</p>` : null}
    <${Field} label="当前密码">${input(current, setCurrent, 'current', 'current-password')}<//>
    <${Field} label="新密码" hint="至少 10 位">${input(next, setNext, 'next', 'new-password')}<//>
    <${Field} label="再次输入新密码">${input(again, setAgain, 'again', 'new-password')}<//>
    ${act.error !== null ? html`<p class="error" role="alert">${act.error}</p>` : null}
    <button class="primary big" type="submit" disabled=${act.busy}>保存新密码</button>
  </form>`
}
