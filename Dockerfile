# syntax=docker/dockerfile:1

# Build stage: a wheel of the bot and wheels of everything pyproject.toml asks for, so the
# runtime image gets no compilers, no build tools and no pip cache.
FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip wheel --wheel-dir /wheels .

# Runtime stage.
FROM python:3.11-slim-bookworm
# The knowledge and data folders are not set here: the bot finds ./knowledge and ./data in its
# working directory, and a variable would override a mounted config file's knowledge_dir.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    METRICS_PORT=8080
# A fixed numeric id, so orchestrators can check "not root" without reading /etc/passwd.
RUN groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid bot --home-dir /app --no-create-home bot
WORKDIR /app
# The wheels are mounted for this step only, so no layer keeps a copy of them.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index /wheels/*.whl
# The pack is baked in, owned by root so the bot cannot change it; mount a folder on
# /app/knowledge (read-only is enough) to serve another pack without rebuilding.
COPY knowledge ./knowledge
RUN mkdir -p /app/data && chown bot:bot /app/data
VOLUME ["/app/data"]
USER 10001:10001
# 8080: /healthz and /metrics (METRICS_PORT); 3000: Slack HTTP mode (SLACK_HTTP_PORT).
EXPOSE 8080 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "bot", "healthcheck"]
CMD ["python", "-m", "bot", "run"]
