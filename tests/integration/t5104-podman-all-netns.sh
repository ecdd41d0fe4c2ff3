#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Podman (rootful): private storage and engine directories under the test's
# temp dir, named by a storage.conf and a containers.conf that both podman
# and twscope read through $CONTAINERS_STORAGE_CONF / $CONTAINERS_CONF; no
# registry (the image is imported offline from a busybox-static rootfs plus
# a static sockpop), no network (--network none: a namespace of its own with
# only loopback). Two named containers with known populations, one exhausting
# a range narrowed with --sysctl; stat -A and doctor -A name them "podman
# <name>" and count exactly, the findings land on the right container.
. "$(dirname "$0")/lib.sh"
require ROOT JQ
PODMAN=$(command -v podman) || skip "podman missing (apt-get install podman)"
BUSYBOX=
for b in /bin/busybox /usr/bin/busybox; do
	[ -x "$b" ] && file -L "$b" 2>/dev/null | grep -q "statically linked" && BUSYBOX=$b && break
done
[ -n "$BUSYBOX" ] || skip "no static busybox (apt-get install busybox-static)"
# crun refuses a cgroup v1/v2 hybrid ("cgroups in hybrid mode not
# supported"); runc runs there, crun everywhere else.
RUNTIME=$(command -v runc || command -v crun) || skip "no OCI runtime (apt-get install runc)"

D=$TW_TMP/podman
mkdir -p "$D/rootfs/bin" "$D/tmp" "$D/networks"
cp "$BUSYBOX" "$D/rootfs/bin/busybox"
ln -s busybox "$D/rootfs/bin/sh"
gcc -O2 -static -D_GNU_SOURCE -o "$D/rootfs/bin/sockpop" tests/helpers/sockpop.c 2>"$D/cc.err" ||
	skip "cannot link a static sockpop: $(head -1 "$D/cc.err")"

# vfs: overlay needs a kernel overlayfs over a filesystem that allows it.
cat >"$D/storage.conf" <<EOF
[storage]
driver = "vfs"
runroot = "$D/run"
graphroot = "$D/graph"
EOF
# cgroupfs: no systemd needed; file events: no journald needed.
cat >"$D/containers.conf" <<EOF
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "$(basename "$RUNTIME")"
tmp_dir = "$D/tmp"
volume_path = "$D/volumes"
[network]
network_backend = "netavark"
network_config_dir = "$D/networks"
EOF
export CONTAINERS_STORAGE_CONF=$D/storage.conf CONTAINERS_CONF=$D/containers.conf
# The image copy writes containers/image's blob info cache to the fixed
# /var/lib/containers/cache: let it write into a tmpfs of a private mount
# namespace instead, creating the mount point only if it is missing. Rootful
# netavark (even unused) makes the fixed /run/containers/networks. What we
# make, we remove when it is empty again.
CACHE=/var/lib/containers/cache
MADE=
for d in /var/lib/containers $CACHE /run/containers /run/containers/networks; do
	[ -d "$d" ] || { mkdir "$d" && MADE="$d $MADE"; }
done
STARTED=
cleanup_t5104() {
	if [ -n "$STARTED" ]; then
		timeout 60 "$PODMAN" rm -f -t 0 tw-web1 tw-api2 >/dev/null 2>&1
		timeout 60 "$PODMAN" rmi -f localhost/twscope-pop:test >/dev/null 2>&1
	fi
	grep " $D/" /proc/self/mountinfo | awk '{ print $5 }' | sort -r | xargs -r -n1 umount -l 2>/dev/null
	for d in $MADE; do rmdir "$d" 2>/dev/null; done
	cleanup_all
}
trap cleanup_t5104 EXIT
STARTED=1
# podman's default rlimits (nofile 1048576) need CAP_SYS_RESOURCE, which a
# CI container may lack: ask for modest ones.
ULIM=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
tar -C "$D/rootfs" -c . >"$D/rootfs.tar"
timeout 60 unshare -m sh -c "mount --make-rprivate / && mount -t tmpfs tw-cache $CACHE &&
	exec '$PODMAN' import '$D/rootfs.tar' localhost/twscope-pop:test" >"$D/import.log" 2>&1 ||
	{ echo "podman import failed: $(tail -1 "$D/import.log")"; exit 1; }
if ! timeout 60 "$PODMAN" run -d --name tw-web1 --network none "${ULIM[@]}" \
	--sysctl net.ipv4.ip_local_port_range="40000 40099" localhost/twscope-pop:test \
	/bin/sockpop listen 127.0.0.1:9000 client-tw 127.0.0.1:9000 90 >"$D/run.log" 2>&1; then
	# Only an environment that cannot run containers at all is a skip.
	grep -q "OCI permission denied\|OCI runtime error\|cgroups in hybrid mode" "$D/run.log" &&
		skip "podman cannot run containers here: $(tail -1 "$D/run.log")"
	echo "podman run web1 failed: $(tail -1 "$D/run.log")"
	exit 1
fi
timeout 60 "$PODMAN" run -d --name tw-api2 --network none "${ULIM[@]}" localhost/twscope-pop:test \
	/bin/sockpop listen 127.0.0.1:8080 server-tw 127.0.0.1:8080 30 >"$D/run.log" 2>&1 ||
	{ echo "podman run api2 failed: $(tail -1 "$D/run.log")"; exit 1; }
for c in tw-web1 tw-api2; do
	wait_until 30 sh -c "'$PODMAN' logs $c 2>/dev/null | grep -q ready" ||
		{ echo "$c did not get ready: $("$PODMAN" logs "$c" 2>&1 | tail -2)"; exit 1; }
done
WEB_ID=$("$PODMAN" inspect -f '{{.Id}}' tw-web1)
check_eq "web1 not in the default storage" "" \
	"$(ls -d /var/lib/containers/storage/*-containers/"$WEB_ID" /run/containers/storage/*-containers/"$WEB_ID" 2>/dev/null)"

J=$TW_TMP/stat.json
"$TWSCOPE" stat -A --json >"$J" 2>/dev/null
check_eq "stat -A exit" 0 "$?"
W='.namespaces[] | select(.netns.container.name == "tw-web1")'
A='.namespaces[] | select(.netns.container.name == "tw-api2")'
check_eq "web1: label runtime id" "podman tw-web1 podman $WEB_ID" \
	"$(jqv "$J" "$W.netns | \"\(.label) \(.container.runtime) \(.container.id)\"")"
check_eq "web1: tw client worst use" "90 90 90" \
	"$(jqv "$J" "$W | \"\(.time_wait) \(.time_wait_client) \(.worst_destination.utilization_pct)\"")"
check_eq "api2: label tw server" "podman tw-api2 30 30" \
	"$(jqv "$J" "$A | \"\(.netns.label) \(.time_wait) \(.time_wait_server)\"")"

J=$TW_TMP/doctor.json
"$TWSCOPE" doctor -A --json >"$J" 2>/dev/null
check_eq "doctor -A exit (critical)" 2 "$?"
W='.namespaces[] | select(.netns.container.name == "tw-web1") | .report.findings[]'
A='.namespaces[] | select(.netns.container.name == "tw-api2") | .report.findings[]'
check_eq "web1: port-exhaustion critical, named" "critical podman tw-web1" \
	"$(jqv "$J" "$W | select(.id == \"port-exhaustion\") | \"\(.severity) \(.netns)\"")"
check_eq "api2: port-exhaustion ok" ok "$(jqv "$J" "$A | select(.id == \"port-exhaustion\") | .severity")"
check_eq "web1: sysctl-drift warning, runtime podman" "warning podman 100" \
	"$(jqv "$J" "$W | select(.id == \"sysctl-drift\") | \"\(.severity) \(.data.runtime) \(.data.port_range_size)\"")"
case $(jqv "$J" "$W | select(.id == \"sysctl-drift\") | .fix | join(\" / \")") in
*"podman run --sysctl"*) pass "web1: drift fix is podman run --sysctl" ;;
*) fail "web1: drift fix: $(jqv "$J" "$W | select(.id == \"sysctl-drift\") | .fix")" ;;
esac
done_test
