# rudprk-watch: the pipeline image (`rudprk` is the entrypoint; default command: one pass).
#   docker build -t rudprk-watch .
#   docker run --rm rudprk-watch demo        # offline demo inside the container
# docker-compose.yml runs it as `rudprk serve` beside PostgreSQL, a Prefect server and Mailpit.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Dependencies first (cached while only the code changes), then the project itself.
COPY pyproject.toml README.md ./
RUN mkdir -p storage alerts flows \
    && touch storage/__init__.py alerts/__init__.py flows/__init__.py \
    && pip install . \
    && pip uninstall -y rudprk-watch
COPY storage ./storage
COPY alerts ./alerts
COPY flows ./flows
RUN pip install --no-deps .

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DO_NOT_TRACK=1 \
    PREFECT_SERVER_ANALYTICS_ENABLED=false \
    PREFECT_HOME=/data/prefect \
    RUDPRK_DATA_DIR=/data
COPY --from=build /opt/venv /opt/venv
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin rudprk \
    && mkdir -p /data \
    && chown rudprk:rudprk /data
USER rudprk
WORKDIR /data
VOLUME ["/data"]
ENTRYPOINT ["rudprk"]
CMD ["run"]
