# eraser: a slim Python 3.11 image, non-root, with state and certificates on a volume.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY eraser ./eraser
COPY connectors ./connectors
COPY configs ./configs
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /var/lib/eraser --create-home eraser
COPY --from=build /install /usr/local
COPY configs /etc/eraser/configs
ENV ERASER_CERTIFICATES=/var/lib/eraser/certificates \
    PYTHONUNBUFFERED=1
VOLUME ["/var/lib/eraser"]
WORKDIR /var/lib/eraser
USER eraser
ENTRYPOINT ["eraser"]
CMD ["--help"]
