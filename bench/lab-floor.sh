#!/usr/bin/env bash
# The floor for tcpdrop's lab setup and teardown: the same topology built with nothing but
# util-linux and iproute2. Three network namespaces held by `unshare --net sleep` processes
# (client, router, server), two veth pairs created inside the router's namespace with their
# peers moved straight into the client and server namespaces, 198.51.100.0/24 on the client
# side and 203.0.113.0/24 on the server side, ip_forward=1 in the router; then the holders are
# SIGKILLed and the kernel reclaims namespaces, links and routes.
#
# usage: bench/lab-floor.sh [ITERATIONS]   (as root; CHECK=1 also checks client -> server, untimed)
# Prints one line per iteration: build+teardown time in ms, measured inside this script with
# $EPOCHREALTIME (so bash's own start-up is not counted). Nothing touches the machine's own
# network namespace: every ip command runs through nsenter into a holder's namespace, and only
# after that holder has unshared (its comm is "sleep" once unshare has exec'd).
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin:/usr/bin:/bin"

iterations=${1:-1}
check=${CHECK:-0}
skip=0
holders=()

cleanup() {
  if ((${#holders[@]})); then kill -KILL "${holders[@]}" 2>/dev/null || true; fi
}
trap cleanup EXIT

# Start a namespace holder in the background; its PID is left in $holder.
start_holder() {
  unshare --net -- sleep infinity &
  holder=$!
  holders+=("$holder")
}

# Wait until the holder has unshared and exec'd sleep, so /proc/PID/ns/net is its own.
await_holder() {
  local comm=""
  while :; do
    read -r comm <"/proc/$1/comm" || exit 1
    [[ $comm == sleep ]] && return 0
  done
}

in_ns() {
  local pid=$1
  shift
  nsenter --net="/proc/$pid/ns/net" -- "$@"
}

host_config() { # ip gateway other-subnet
  printf '%s\n' "link set lo up" "addr add $1/24 dev eth0" "link set eth0 up" \
    "route add $3 via $2"
}

ms_since() { # start (EPOCHREALTIME)
  local now=$EPOCHREALTIME
  local a=${1/./} b=${now/./}
  local us=$((10#$b - 10#$a))
  printf '%d.%03d\n' $((us / 1000)) $((us % 1000))
}

for ((i = 0; i < iterations; i++)); do
  t0=$EPOCHREALTIME
  holders=()
  start_holder
  client=$holder
  start_holder
  router=$holder
  start_holder
  server=$holder
  await_holder "$client"
  await_holder "$router"
  await_holder "$server"

  in_ns "$router" ip -batch - <<EOF
link add c0 type veth peer name eth0 netns $client
link set lo up
addr add 198.51.100.1/24 dev c0
link set c0 up
link add s0 type veth peer name eth0 netns $server
addr add 203.0.113.1/24 dev s0
link set s0 up
EOF
  host_config 198.51.100.2 198.51.100.1 203.0.113.0/24 | in_ns "$client" ip -batch - &
  c_job=$!
  host_config 203.0.113.2 203.0.113.1 198.51.100.0/24 | in_ns "$server" ip -batch - &
  s_job=$!
  in_ns "$router" sysctl -qw net.ipv4.ip_forward=1 &
  r_job=$!
  wait "$c_job"
  wait "$s_job"
  wait "$r_job"
  if [[ $check == 1 ]]; then # not timed: prove the topology forwards
    t_check=$EPOCHREALTIME
    # A SYN to a closed port on the server: "Connection refused" means its RST came back
    # through the router; without forwarding it would be "No route to host" or a timeout.
    refused=$(in_ns "$client" timeout 2 bash -c ': </dev/tcp/203.0.113.2/9' 2>&1 || true)
    if [[ $refused != *"Connection refused"* ]]; then
      echo "lab-floor: the topology does not forward: $refused" >&2
      exit 1
    fi
    skip=$(ms_since "$t_check")
  fi

  kill -KILL "${holders[@]}"
  wait "${holders[@]}" 2>/dev/null || true
  holders=()
  total=$(ms_since "$t0")
  awk -v t="$total" -v s="$skip" 'BEGIN { printf "%.3f\n", t - s }'
  skip=0
done
