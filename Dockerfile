# The production-like image: gunicorn for the web, the same image for the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=betterwork.settings.production BETTERWORK_VAR_DIR=/var/lib/betterwork

# WeasyPrint's libraries (Pango, HarfBuzz) and fonts for every script the programme writes in.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
      fonts-noto-core fonts-dejavu-core curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /app betterwork \
 && mkdir -p /var/lib/betterwork && chown betterwork /var/lib/betterwork

WORKDIR /app
COPY pyproject.toml README.md manage.py ./
COPY betterwork betterwork
COPY factories factories
COPY assessments assessments
COPY advisory advisory
COPY training training
COPY reporting reporting
COPY templates templates
COPY static static
COPY locale locale
RUN pip install . \
 && SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput

USER betterwork
EXPOSE 8000
CMD ["gunicorn", "betterwork.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
