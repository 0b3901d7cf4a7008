# Lifeline web, worker and beat image. Installs exactly the locked versions CI tested.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=portal.settings

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 lifeline

WORKDIR /app
COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt

COPY . .
# collectstatic and compilemessages need settings but no real secrets or services.
RUN DEBUG=1 python manage.py collectstatic --no-input \
    && (DEBUG=1 python manage.py compilemessages --ignore=.venv || true) \
    && mkdir -p /app/var && chown -R lifeline /app/var

USER lifeline
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
