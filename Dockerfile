# Image of the web, worker and beat services (docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint needs Pango; libharfbuzz-subset0 makes PDF rendering ~4x faster.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core espeak-ng \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .
RUN DEBUG=False SECRET_KEY=collectstatic-only-not-a-secret \
        python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 --home-dir /app --shell /usr/sbin/nologin portal \
    && mkdir -p var/private var/mail var/sms \
    && chown -R portal:portal var

USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
