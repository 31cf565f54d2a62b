# Passage service image. Docker is not available on the development machines; CI validates
# docker-compose.yml with check-jsonschema instead of building.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-core fonts-noto-cjk postgresql-client \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 passage
WORKDIR /srv/passage
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY templates ./templates
RUN pip install -e . && chown -R passage /srv/passage
USER passage
ENV PASSAGE_ENV=production
EXPOSE 8000
CMD ["sh", "-c", "passage migrate && exec passage serve --host 0.0.0.0 --port 8000"]
