# One image for the web process, the Celery worker and Celery beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Pango/HarfBuzz for WeasyPrint, CJK fonts so the PDFs show Chinese (Hanazono: the rare ideographs
# of CJK extensions B–F), gettext for compilemessages.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
        fonts-noto-cjk fonts-wqy-zenhei fonts-hanazono gettext \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --create-home --home-dir /home/wecan --shell /usr/sbin/nologin wecan

WORKDIR /app

# The dependencies first, so a change to the code alone reuses this layer.
COPY pyproject.toml ./
RUN pip install .

COPY . .
# Translations are built into the image; development mode only for this one command (it needs no secrets).
RUN DJANGO_ENV=development WECAN_DATA_DIR=/tmp/wecan-build \
        python manage.py compilemessages --ignore=.venv --ignore=var --verbosity=0 \
    && rm -rf /tmp/wecan-build \
    && mkdir -p /app/staticfiles /var/lib/celery \
    && chown wecan:wecan /app/staticfiles /var/lib/celery

ENV DJANGO_ENV=production \
    STATIC_ROOT=/app/staticfiles

USER wecan
EXPOSE 8000

# Workers, threads and the bind address come from gunicorn.conf.py (WEB_WORKERS, WEB_THREADS).
CMD ["gunicorn", "wecan.wsgi:application", "--config", "gunicorn.conf.py"]
