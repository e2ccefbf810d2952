# One image for every service of docker-compose.yml (web, worker, beat, consumer, simulator).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files are collected at build time (whitenoise serves the compressed, hashed files).
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --system --home /app dashboard && mkdir -p /app/var && chown -R dashboard /app/var
USER dashboard

EXPOSE 8100 8000
CMD ["gunicorn", "-c", "config/gunicorn_conf.py", "config.wsgi:application", \
     "--bind", "0.0.0.0:8100", "--workers", "4", "--threads", "4", \
     "--access-logfile", "-"]
