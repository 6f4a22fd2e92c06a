# The ingest bridge (and the broker bootstrap) from this repository: Node 20, workspaces installed, run with tsx.
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages ./packages
COPY broker ./broker
COPY bridge ./bridge
COPY simulator ./simulator
COPY tools ./tools
COPY functions/package.json ./functions/package.json
COPY hosting/package.json ./hosting/package.json
COPY tests/package.json ./tests/package.json
RUN npm ci --ignore-scripts --no-audit --no-fund
ENV NODE_ENV=production
USER node
CMD ["npx", "tsx", "bridge/src/main.ts"]
