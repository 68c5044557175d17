# syntax=docker/dockerfile:1
# agent in a small Alpine image, from the musl builds in dist/ (bun run build.ts --release):
#   docker build -t agent .                                          # this machine's arch
#   docker buildx build --platform linux/amd64,linux/arm64 -t agent .
#   docker run --rm -e ANTHROPIC_API_KEY -v "$PWD:/work" agent run --mcp mcp.json "…"
# It holds only the binary: for servers started with npx or uvx, build FROM this image and
# `apk add nodejs npm` (or python3 uv) as root, then switch back to USER agent.

# Picks the binary for the image's arch; Docker names it amd64, build.ts names it x64.
FROM --platform=$BUILDPLATFORM alpine:3.22 AS pick
ARG TARGETARCH
COPY dist/agent-linux-x64-musl dist/agent-linux-arm64-musl /dist/
RUN case "$TARGETARCH" in \
      amd64) arch=x64 ;; \
      arm64) arch=arm64 ;; \
      *) echo "no agent build for $TARGETARCH" >&2; exit 1 ;; \
    esac \
 && cp "/dist/agent-linux-$arch-musl" /agent \
 && chmod 755 /agent

FROM alpine:3.22
# Bun's musl runtime links the C++ runtime; CA certificates for HTTPS servers and providers.
RUN apk add --no-cache libstdc++ libgcc ca-certificates \
 && adduser -D -u 10001 -h /home/agent agent \
 && mkdir -p /work \
 && chown agent:agent /work
COPY --from=pick /agent /usr/local/bin/agent
USER agent
WORKDIR /work
ENTRYPOINT ["agent"]
CMD ["--help"]
