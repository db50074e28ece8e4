# tcpdrop in an image: the agent for remote mode (`kubectl exec -i POD -- tcpdrop agent`, run by
# `tcpdrop run ... --client-via 'kubectl exec -i client --'`), whole runs in a lab inside the
# container (that needs CAP_SYS_ADMIN and CAP_NET_ADMIN), or CI. The default command only waits,
# so that a pod stays up for `kubectl exec`.
#   docker build -t tcpdrop:0.1.0 .
FROM node:20-slim AS build
WORKDIR /src
COPY . .
# npm ci also builds dist/ (the prepare script); npm pack makes the package a user would install.
RUN npm ci && npm pack --pack-destination /tmp

FROM node:20-slim
# iproute2 (ip) and util-linux (unshare, nsenter): the lab; strace: tracing a user's program;
# nftables (nft): remote mode's host faults (host-crash, crash-reboot, shutdown). The packets
# of runs need no tool: tcpdrop captures them itself.
RUN apt-get update \
  && apt-get install -y --no-install-recommends iproute2 util-linux strace nftables \
  && rm -rf /var/lib/apt/lists/*
COPY --from=build /tmp/tcpdrop-*.tgz /tmp/
RUN npm install -g /tmp/tcpdrop-*.tgz && rm /tmp/tcpdrop-*.tgz && tcpdrop list > /dev/null
CMD ["sleep", "infinity"]
