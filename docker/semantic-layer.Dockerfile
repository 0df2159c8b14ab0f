# syntax=docker/dockerfile:1.7
# Semantic layer server (REST/GraphQL on 4000, Postgres-wire SQL API on 15432).
# Build from the repository root:  docker build -f docker/semantic-layer.Dockerfile -t lakehouse-semantic-layer .
#
# tsx is a runtime dependency (package.json "dependencies"): the server runs its TypeScript
# sources directly, so `npm ci --omit=dev` keeps everything production needs and drops
# vitest/typescript/playwright.

# Node 22 LTS, the supported runtime (package.json engines); the suites also pass on Node 20.
ARG NODE_IMAGE=node:22.23.5-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts stay on: esbuild (used by tsx) and leveldown (kinesalite) fetch nothing, they
# select the prebuilt binary shipped in their npm packages.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# The playground's browser bundle (Vite is a development dependency): built here, copied as
# static files. Served with CUBEJS_DEV_MODE=true or CUBEJS_PLAYGROUND=true; a bundle shipped
# without its sources is never rebuilt at start.
FROM ${NODE_IMAGE} AS playground
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci --no-audit --no-fund
COPY server/src ./server/src
COPY server/playground ./server/playground
RUN npm run build:playground

FROM ${NODE_IMAGE}
# Both APIs listen on 127.0.0.1 by default; in a container they must accept the published ports.
ENV NODE_ENV=production \
    PORT=4000 \
    CUBEJS_HOST=0.0.0.0 \
    CUBEJS_PG_SQL_PORT=15432 \
    CUBEJS_PG_SQL_HOST=0.0.0.0 \
    CUBEJS_DEV_MODE=false \
    CUBEJS_SCHEMA_PATH=model \
    LAKEHOUSE_DIR=/app/data \
    TSX_DISABLE_CACHE=1
WORKDIR /app

COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --chown=node:node package.json tsconfig.json ./
COPY --chown=node:node server/src ./server/src
COPY --from=playground --chown=node:node /app/server/playground/dist ./server/playground/dist
COPY --chown=node:node model ./model
COPY --chown=node:node notebooks/sql ./notebooks/sql
RUN mkdir -p /app/data && chown node:node /app/data

# The node image's unprivileged user (uid 1000), matching runAsUser in infra/k8s.
USER node
EXPOSE 4000 15432
VOLUME ["/app/data"]

# The first start on an empty /app/data builds the local lakehouse (about a minute) before listening.
HEALTHCHECK --interval=30s --timeout=5s --start-period=300s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/livez').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# `npm start` without npm as PID 1, so SIGTERM reaches the server and it drains connections.
ENTRYPOINT ["node", "--import", "tsx", "server/src/main.ts"]
