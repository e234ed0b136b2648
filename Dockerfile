# Tuberry's image: `tuberry run | bot | worker | migrate | check | rotate-key`, the same entry points as a
# pip install. Dependencies come from requirements.lock (pinned, hash-checked); no secret and no test code
# is in the image: configuration arrives as environment variables (see .env.example).
# BASE: any image with Python 3.11 whose `python` and `pip` come first on PATH; the default is Docker Hub's.
# Without Docker Hub, bench/docker_smoke.sh builds one from Debian (debootstrap) and passes it here.
ARG BASE=python:3.11-slim
FROM ${BASE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin tuberry

WORKDIR /opt/tuberry
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock
COPY pyproject.toml README.md ./
COPY tuberry ./tuberry
# setuptools and wheel come from the lock too (deploy/build-requirements.in): nothing unpinned is fetched.
RUN pip install --no-deps --no-build-isolation . && rm -rf build tuberry.egg-info

USER tuberry
# The working directory of the processes: a SQLite database (DATABASE_URL's default) would be created here.
WORKDIR /home/tuberry
ENV HTTP_PORT=8080
EXPOSE 8080
# /healthz answers 200 when the database and Redis answer (see docs/OPERATIONS.md).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('HTTP_PORT', '8080')}/healthz\", timeout=4)"]
CMD ["tuberry", "run"]
