#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Docker: a dockerd of our own (its own data root, exec root and socket, no
# bridge, no iptables, no registry: the image is imported offline from a
# busybox-static rootfs plus a static sockpop) runs two named containers with
# known populations, one exhausting a range narrowed with --sysctl. stat -A
# and doctor -A name them and count exactly; the findings land on the right
# container, with the docker fix for the drift.
. "$(dirname "$0")/lib.sh"
require ROOT JQ
DOCKERD=$(command -v dockerd) || skip "dockerd missing (apt-get install docker.io)"
DOCKER=/usr/bin/docker
[ -x "$DOCKER" ] || DOCKER=$(command -v docker) || skip "docker CLI missing"
BUSYBOX=
for b in /bin/busybox /usr/bin/busybox; do
	[ -x "$b" ] && file -L "$b" 2>/dev/null | grep -q "statically linked" && BUSYBOX=$b && break
done
[ -n "$BUSYBOX" ] || skip "no static busybox (apt-get install busybox-static)"

D=$TW_TMP/docker
mkdir -p "$D/rootfs/bin"
cp "$BUSYBOX" "$D/rootfs/bin/busybox"
ln -s busybox "$D/rootfs/bin/sh"
gcc -O2 -static -D_GNU_SOURCE -o "$D/rootfs/bin/sockpop" tests/helpers/sockpop.c 2>"$D/cc.err" ||
	skip "cannot link a static sockpop: $(head -1 "$D/cc.err")"

export DOCKER_HOST=unix://$D/docker.sock
DPID=
cleanup_t5103() {
	if [ -n "$DPID" ]; then
		timeout 30 "$DOCKER" rm -f tw-web1 tw-api2 >/dev/null 2>&1
		kill "$DPID" 2>/dev/null
		for _ in $(seq 1 100); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
		grep " $D/" /proc/self/mountinfo | awk '{ print $5 }' | sort -r | xargs -r -n1 umount -l 2>/dev/null
	fi
	cleanup_all
}
trap cleanup_t5103 EXIT
"$DOCKERD" --data-root "$D/data" --exec-root "$D/exec" --pidfile "$D/docker.pid" -H "$DOCKER_HOST" \
	--bridge=none --iptables=false --ip6tables=false --containerd-namespace "tw$$" \
	--storage-driver vfs >"$D/dockerd.log" 2>&1 &
DPID=$!
wait_until 30 "$DOCKER" info >/dev/null 2>&1 ||
	skip "dockerd cannot run here: $(grep -m1 -i 'level=fatal\|error' "$D/dockerd.log" | cut -c1-200)"
tar -C "$D/rootfs" -c . | timeout 60 "$DOCKER" import - twscope-pop:test >/dev/null ||
	{ echo "docker import failed"; exit 1; }
timeout 60 "$DOCKER" run -d --name tw-web1 --network none \
	--sysctl net.ipv4.ip_local_port_range="40000 40099" twscope-pop:test \
	/bin/sockpop listen 127.0.0.1:9000 client-tw 127.0.0.1:9000 90 >/dev/null ||
	{ echo "docker run web1 failed"; exit 1; }
timeout 60 "$DOCKER" run -d --name tw-api2 --network none twscope-pop:test \
	/bin/sockpop listen 127.0.0.1:8080 server-tw 127.0.0.1:8080 30 >/dev/null ||
	{ echo "docker run api2 failed"; exit 1; }
for c in tw-web1 tw-api2; do
	wait_until 30 sh -c "'$DOCKER' logs $c 2>/dev/null | grep -q ready" ||
		{ echo "$c did not get ready: $("$DOCKER" logs "$c" 2>&1 | tail -2)"; exit 1; }
done
WEB_ID=$("$DOCKER" inspect -f '{{.Id}}' tw-web1)

export TWSCOPE_DOCKER_DATA_ROOT=$D/data
J=$TW_TMP/stat.json
"$TWSCOPE" stat -A --json >"$J" 2>/dev/null
check_eq "stat -A exit" 0 "$?"
W='.namespaces[] | select(.netns.container.name == "tw-web1")'
A='.namespaces[] | select(.netns.container.name == "tw-api2")'
check_eq "web1: label runtime id" "docker tw-web1 docker $WEB_ID" \
	"$(jqv "$J" "$W.netns | \"\(.label) \(.container.runtime) \(.container.id)\"")"
check_eq "web1: tw client worst use" "90 90 90" \
	"$(jqv "$J" "$W | \"\(.time_wait) \(.time_wait_client) \(.worst_destination.utilization_pct)\"")"
check_eq "api2: label tw server" "docker tw-api2 30 30" \
	"$(jqv "$J" "$A | \"\(.netns.label) \(.time_wait) \(.time_wait_server)\"")"

J=$TW_TMP/doctor.json
"$TWSCOPE" doctor -A --json >"$J" 2>/dev/null
check_eq "doctor -A exit (critical)" 2 "$?"
W='.namespaces[] | select(.netns.container.name == "tw-web1") | .report.findings[]'
A='.namespaces[] | select(.netns.container.name == "tw-api2") | .report.findings[]'
check_eq "web1: port-exhaustion critical, named" "critical docker tw-web1" \
	"$(jqv "$J" "$W | select(.id == \"port-exhaustion\") | \"\(.severity) \(.netns)\"")"
check_eq "api2: port-exhaustion ok" ok "$(jqv "$J" "$A | select(.id == \"port-exhaustion\") | .severity")"
check_eq "web1: sysctl-drift warning, runtime docker" "warning docker 100" \
	"$(jqv "$J" "$W | select(.id == \"sysctl-drift\") | \"\(.severity) \(.data.runtime) \(.data.port_range_size)\"")"
case $(jqv "$J" "$W | select(.id == \"sysctl-drift\") | .fix | join(\" / \")") in
*"docker run --sysctl"*) pass "web1: drift fix is docker run --sysctl" ;;
*) fail "web1: drift fix: $(jqv "$J" "$W | select(.id == \"sysctl-drift\") | .fix")" ;;
esac
done_test
