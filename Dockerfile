# 乐平市公共法律服务问答助手: web chat, console and Telegram in one process.
#   docker build -t leping-legal-bot .
# How to run it (fixed hostname, stop timeout, volumes, env file): docs/deploy.md, section 3.
# Everything is fetched while building (Debian packages, npm registry); nothing at run time.

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: compile nodejieba (a C++ addon) and install the production dependencies
FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Build nodejieba from source against this image's own Node headers: no prebuilt binary from
# GitHub and no headers from nodejs.org, so the build needs only the npm registry (a mirror
# works: docker build --build-arg NPM_CONFIG_REGISTRY=https://registry.npmmirror.com .).
# npm 10 warns "Unknown env config build-from-source"; node-pre-gyp reads it all the same.
ARG NPM_CONFIG_REGISTRY=https://registry.npmjs.org/
ENV npm_config_build_from_source=true \
    npm_config_nodedir=/usr/local
COPY package.json package-lock.json ./
# `npm ci` installs exactly the lockfile. It works with the npm 10 that Node 20 images ship;
# npm 11 refuses this lockfile (an optional Windows-only package of a dev dependency is missing
# from it), see docs/deploy.md. Dev dependencies (vitest, playwright-core, typescript…) are
# test tools: the server runs TypeScript through tsx, which is a dependency.
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
# Fails the build on invalid knowledge, and leaves the staff CLI's bundle in dist/.
RUN node scripts/cli.mjs validate

# --- runtime
FROM ${NODE_IMAGE}
ENV HOST=0.0.0.0 \
    PORT=3000 \
    RUNTIME_DIR=/var/lib/leping-legal-bot \
    TMPDIR=/var/cache/leping-legal-bot
WORKDIR /app
# Code and dependencies belong to root (read-only for the bot); the knowledge the console
# publishes to, the runtime data and the cache belong to the unprivileged `node` user. So does
# dist/: the staff CLI rebuilds its bundle there if it finds src/ newer.
COPY --from=build /app /app
RUN chown -R node:node /app/intents /app/data /app/dist \
 && mkdir -p /var/lib/leping-legal-bot /var/cache/leping-legal-bot \
 && chown node:node /var/lib/leping-legal-bot /var/cache/leping-legal-bot
USER node
# Train the classifier for the shipped knowledge now, so a container starts in seconds. The
# model cache lives in TMPDIR (src/bootstrap.ts defaultCacheDir).
RUN node --import tsx --input-type=module \
      -e "import { bootCore } from './src/bootstrap.ts'; await bootCore({ intentsDir: 'intents', dataDir: 'data' });"
VOLUME ["/var/lib/leping-legal-bot"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself, not `npm start`: SIGTERM goes straight to src/main.ts's graceful stop.
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "src/main.ts"]
