#!/bin/bash
# Issue 11 part 7: the fault report's p95 against two trivial GETs (/healthz, the manifest), 2 rounds,
# on `gunicorn -w 2` and PostgreSQL database h11_bench (a 10,000-household demo). Build it once with
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/h11_bench SECRET_KEY=x .venv/bin/powerexpress migrate
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/h11_bench SECRET_KEY=x .venv/bin/powerexpress demo --households 10000
# Run it on an idle machine: the ratio is the target, and other work on the cores moves both p95s.
cd "$(dirname "$0")/.."
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/h11_bench SECRET_KEY=bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz \
  CACHE_URL=redis://127.0.0.1:6379/9 CELERY_BROKER_URL=redis://127.0.0.1:6379/10 RATELIMIT_ENABLE=false \
  DATABASE_CONN_MAX_AGE=600 POWEREXPRESS_DATA_DIR=/tmp/h11bench-data ALLOWED_HOSTS=127.0.0.1,localhost
mkdir -p $POWEREXPRESS_DATA_DIR
.venv/bin/powerexpress migrate --no-input -v0
.venv/bin/gunicorn powerexpress.wsgi -w 2 -b 127.0.0.1:18811 > /tmp/h11bench-gunicorn.log 2>&1 &
PID=$!
sleep 6
for round in 1 2; do
  for probe in /healthz /manifest.webmanifest; do
    echo "== round $round probe $probe load $(cut -d' ' -f1-3 /proc/loadavg)"
    .venv/bin/python benchmarks/repair_load.py --url http://127.0.0.1:18811 --clients 50 --think-ms 1000 --requests 2000 --probe-path $probe 2>&1 | tail -6
  done
done
kill $PID
