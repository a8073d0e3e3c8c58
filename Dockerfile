# The Anju gateway. TypeScript runs through tsx, a runtime dependency, so there is no compile step; the
# first stage exists only because better-sqlite3 is a native addon: when no prebuilt binary fits the
# platform, npm compiles it, which needs python3, make and g++ — kept out of the final image.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# Optional: --build-arg NPM_CONFIG_REGISTRY=<a nearer npm mirror>; npm reads it from the environment.
ARG NPM_CONFIG_REGISTRY
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    ANJU_DATA_DIR=/data
WORKDIR /app
# Code and modules stay owned by root: the unprivileged process can write its data dir and nothing else.
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN mkdir -p /data \
 && chown node:node /data \
 && ln -s /app/bin/anju.js /usr/local/bin/anju
USER node
VOLUME /data
# 1883 MQTT, 8883 MQTT over TLS (only with ANJU_TLS_CERT and ANJU_TLS_KEY), 8080 HTTP (admin API, /docs,
# /healthz, /metrics, MQTT over WebSocket at /mqtt).
EXPOSE 1883 8883 8080
# /healthz answers once the HTTP server listens, which build() does after the MQTT listeners are up.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.ANJU_HTTP_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1 (not npm), so SIGTERM reaches gateway/main.ts, which closes the broker and SQLite.
CMD ["node", "--import", "tsx", "gateway/main.ts"]
