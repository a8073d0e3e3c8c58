#!/usr/bin/env node
// The `anju` command (package.json "bin"). The CLI is TypeScript run by tsx, a runtime dependency, so
// there is no build step: register tsx's ESM loader, then load the real entry point.
import { register } from 'tsx/esm/api'

register()
await import('../gateway/cli/main.ts')
