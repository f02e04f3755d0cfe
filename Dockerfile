# The four Evalyo services in one image; each container runs one of them:
#   docker build -t evalyo/services .
#   docker run evalyo/services catalog        (or key-service, interviews, reports, webhooks)
# Base images are pinned to exact versions (scripts/check-deploy refuses moving tags); replace
# them by digests (FROM swift:6.3.1-noble@sha256:...) where your registry policy asks for it.
# Build stage: the official Swift image, a release build with the Swift runtime linked in.
FROM swift:6.3.1-noble AS build
WORKDIR /build
# Dependencies first, so that a change in our sources does not fetch them again; exactly the
# versions and revisions in the committed Package.resolved, or the build fails.
COPY Package.swift Package.resolved ./
RUN swift package resolve --force-resolved-versions
COPY Shared ./Shared
COPY Services ./Services
COPY Tests ./Tests
# The key service reads its console page from its resource bundle, beside the executable.
RUN swift build -c release --static-swift-stdlib --force-resolved-versions \
  && mkdir /staging \
  && bin="$(swift build -c release --show-bin-path)" \
  && for product in key-service catalog interviews reports webhooks; do cp "$bin/$product" /staging/; done \
  && cp -R "$bin"/*.resources /staging/

# Run stage: a slim Ubuntu with only what the binaries need, as an unprivileged user.
FROM ubuntu:24.04
RUN export DEBIAN_FRONTEND=noninteractive \
  && apt-get update -q \
  && apt-get install -q -y --no-install-recommends ca-certificates tzdata curl \
  && rm -rf /var/lib/apt/lists/* \
  && groupadd --system --gid 10001 evalyo \
  && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /app evalyo
COPY --from=build --chown=root:root /staging/ /app/bin/
ENV PATH=/app/bin:$PATH HOST=0.0.0.0 LOG_LEVEL=info
# Numeric, so that Kubernetes can check runAsNonRoot.
USER 10001:10001
WORKDIR /app
# SIGTERM drains in-flight requests and exits 0 (docs/architecture.md).
STOPSIGNAL SIGTERM
# The product to run is the command: key-service, catalog, interviews, reports or webhooks.
CMD ["key-service"]
