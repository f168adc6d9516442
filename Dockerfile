# Tributary gateway image. Multi-stage: the TypeScript build needs dev dependencies, the runtime image only
# production ones. Runs as the unprivileged `node` user, listens on 0.0.0.0:8080.
#   docker build -t tributary .
#   docker run -p 8080:8080 -e TRIBUTARY_BROKERS=kafka:9092 -v "$PWD/examples:/etc/tributary:ro" tributary
# The image has no Java: set TRIBUTARY_BROKERS (the local single-node Kafka of `npm start` is for development).

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY routes ./routes
RUN npm run build

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    TRIBUTARY_HOST=0.0.0.0 \
    TRIBUTARY_PORT=8080 \
    TRIBUTARY_CATALOG=/etc/tributary/catalog.yaml \
    TRIBUTARY_DRAIN_DELAY_MS=5000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json openapi.yaml ./
COPY bin ./bin
COPY schemas ./schemas
COPY examples /etc/tributary
USER node
EXPOSE 8080
# Liveness only (the process answers); readiness (/readyz) is for the load balancer, which must stop sending
# while Kafka is away or the process drains, without the orchestrator restarting it.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.TRIBUTARY_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node is PID 1 and handles SIGTERM itself (graceful drain, src/ops/shutdown.ts).
ENTRYPOINT ["node", "bin/tributary.js", "serve"]
