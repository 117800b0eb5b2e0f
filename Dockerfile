# syntax=docker/dockerfile:1

# Build stage: a wheel of the bot and wheels of everything it needs, so the runtime image gets
# no compilers and no pip cache.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    BOT_KNOWLEDGE_DIR=/app/knowledge
RUN groupadd --system bot && useradd --system --gid bot --home-dir /app bot
WORKDIR /app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
# The pack is baked in; mount a volume on /app/knowledge to serve another one.
COPY --chown=bot:bot knowledge ./knowledge
USER bot
CMD ["python", "-m", "bot", "run"]
