# The regsearch application image (api, indexer, worker), used by docker-compose.yml.
# Build from the repository root:  docker build -f docker/app.Dockerfile -t regsearch-app .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LANG=C.UTF-8

# pdftotext/pdftoppm and the DejaVu fonts (Vietnamese glyphs) for certificates;
# the same list as services.system.APT_PACKAGES, less the services themselves.
RUN apt-get update \
 && apt-get install -y --no-install-recommends poppler-utils fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY . /app
RUN pip install . \
 && useradd --create-home --uid 10001 regsearch

USER regsearch
EXPOSE 8000
CMD ["regsearch", "api", "--host", "0.0.0.0"]
