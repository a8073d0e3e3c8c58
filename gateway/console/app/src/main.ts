/// <reference lib="dom" />
// The console's root: session bootstrap (GET /session), login and forced password change, a role-aware
// navigation and a hash router (#/alerts/123), so a reload or a shared link lands on the same page.
import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { ApiError, del, get, setCsrf, whenUnauthorized, type Session } from './api.ts'
import { html } from './html.ts'
import { navFor, parseHash } from './nav.ts'
import { ChangePassword, Login } from './pages/login.ts'
import { Alerts } from './pages/alerts.ts'
import { Homes } from './pages/homes.ts'
import { Devices } from './pages/devices.ts'
import { Screens } from './pages/screens.ts'
import { Notices } from './pages/notices.ts'
import { Broadcast } from './pages/broadcast.ts'
import { Finance } from './pages/finance.ts'
import { Users } from './pages/users.ts'
import { ROLE } from './ui.ts'

type PageFn = (p: { session: Session, args: string[] }) => unknown
const PAGES: Record<string, PageFn> = {
  alerts: Alerts, homes: Homes, devices: Devices, screens: Screens, notices: Notices, broadcast: Broadcast, finance: Finance, users: Users
}

function useHash (): string[] {
  const [parts, setParts] = useState(parseHash(location.hash))
  useEffect(() => {
    // Move focus to the new page (main has tabindex=-1), as a full page load would: a screen reader then
    // reads the new content, and Tab continues from the top of it.
    const on = (): void => { setParts(parseHash(location.hash)); window.scrollTo(0, 0); requestAnimationFrame(() => document.getElementById('main')?.focus()) }
    window.addEventListener('hashchange', on)
    return () => window.removeEventListener('hashchange', on)
  }, [])
  return parts
}

function App (): unknown {
  const [session, setSession] = useState<Session | null | undefined>(undefined)
  const [menuOpen, setMenuOpen] = useState(false)
  const parts = useHash()
  const accept = (s: Session | null): void => { if (s !== null) setCsrf(s.csrfToken); setSession(s) }
  useEffect(() => {
    whenUnauthorized(() => accept(null))
    get<Session>('/session').then(accept, (err: unknown) => { accept(null); if (!(err instanceof ApiError)) console.error(err) })
  }, [])
  useEffect(() => { setMenuOpen(false) }, [parts.join('/')])

  if (session === undefined) return html`<p class="loading" role="status">正在加载…</p>`
  if (session === null) return html`<${Login} onSession=${accept} />`
  const user = session.user
  const reload = (): void => { get<Session>('/session').then(accept, () => accept(null)) }
  if (user.mustChangePassword) return html`<main id="main" class="login"><${ChangePassword} forced=${true} onDone=${reload} /></main>`

  const items = navFor(user.role)
  const page = parts[0] ?? ''
  const current = items.find((i) => i.path === page) !== undefined ? page : page === 'password' ? page : items[0]?.path ?? ''
  const Page = PAGES[current]
  const logout = (): void => { del('/session').finally(() => accept(null)) }
  return html`<a class="skip" href="#main" onClick=${(e: Event) => { e.preventDefault(); document.getElementById('main')?.focus() }}>跳到正文</a>
    <header class="top">
      <span class="brand">安居</span>
      <button class="menu-toggle" aria-expanded=${menuOpen} aria-controls="nav" onClick=${() => setMenuOpen(!menuOpen)}>菜单</button>
      <nav id="nav" class=${menuOpen ? 'open' : ''} aria-label="主导航"><ul>
        ${items.map((i) => html`<li><a href=${'#/' + i.path} data-nav=${i.path} aria-current=${i.path === current ? 'page' : undefined}>${i.label}</a></li>`)}
      </ul></nav>
      <span class="who">${user.displayName}（${ROLE[user.role] ?? user.role}）</span>
      <a class="link" href="#/password">改密码</a>
      <button class="link" onClick=${logout}>退出</button>
    </header>
    <main id="main" tabindex="-1" data-page=${current}>
      ${current === 'password' ? html`<${ChangePassword} forced=${false} onDone=${() => { location.hash = '#/' }} />`
        : Page !== undefined ? html`<${Page} session=${session} args=${parts.slice(1)} />` : html`<p>没有可用的页面。</p>`}
    </main>`
}

const root = document.getElementById('app')
if (root !== null) { root.textContent = ''; render(html`<${App} />`, root) }
