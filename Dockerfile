# eraser: a slim Python 3.11 image running the daemon as a non-root user, with its config, state store and
# certificates on one writable volume. Not built in CI (no container engine there); linted with hadolint.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY eraser ./eraser
COPY connectors ./connectors
# The project itself with every extra (DL3013 asks for pinned packages: this is the source tree, not an index).
# hadolint ignore=DL3013
RUN pip install --no-cache-dir --prefix=/install "./[all]"

FROM python:3.11-slim
RUN groupadd --system --gid 10001 eraser \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/eraser --create-home eraser \
    && mkdir -p /var/lib/eraser/certificates /var/lib/eraser/keys \
    && chown -R eraser:eraser /var/lib/eraser
COPY --from=build /install /usr/local
COPY configs /etc/eraser/configs
# `serve` reads these (every option has an ERASER_<COMMAND>_<OPTION> variable): listen on every interface
# of the container, and keep the config, and so the default SQLite state store beside it, on the volume.
# ERASER_SERVE_STATE=postgresql+psycopg://... moves the state store to PostgreSQL (several nodes).
ENV ERASER_SERVE_HOST=0.0.0.0 \
    ERASER_SERVE_PORT=8080 \
    ERASER_SERVE_CONFIG=/var/lib/eraser/eraser.yaml \
    ERASER_CERTIFICATES=/var/lib/eraser/certificates \
    ERASER_LOG_FORMAT=json \
    PYTHONUNBUFFERED=1
VOLUME ["/var/lib/eraser"]
WORKDIR /var/lib/eraser
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('ERASER_SERVE_PORT', '8080') + '/readyz', timeout=4)"]
ENTRYPOINT ["eraser"]
CMD ["serve"]
