#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# trace names namespaces as stat -A does: closes in a namespace whose
# process sits in a Docker container cgroup (docker-<id>.scope, its name
# from config.v2.json under TWSCOPE_DOCKER_DATA_ROOT) show the container's
# name, even though that namespace appeared after trace started (a miss
# re-enumerates); a plain /run/netns namespace keeps its name.
. "$(dirname "$0")/lib.sh"
require_trace
CGBASE=
if [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then
	CGBASE=/sys/fs/cgroup
elif [ -e /sys/fs/cgroup/systemd/cgroup.procs ]; then
	CGBASE=/sys/fs/cgroup/systemd
fi
[ -n "$CGBASE" ] || skip "no cgroup v2 or name=systemd hierarchy to make a container cgroup in"
ID=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
SLICE=$CGBASE/twtest-$$.slice
CG=$SLICE/docker-$ID.scope
HOLDER=
cleanup_t4009() {
	[ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null && wait "$HOLDER" 2>/dev/null
	rmdir "$CG" "$SLICE" 2>/dev/null
	cleanup_all
}
trap cleanup_t4009 EXIT
mkdir -p "$CG" 2>/dev/null || skip "cannot create a cgroup under $CGBASE"
DATA=$TW_TMP/docker
mkdir -p "$DATA/containers/$ID"
printf '{"ID":"%s","Name":"/tw-web1","Config":{"Labels":{}}}\n' "$ID" >"$DATA/containers/$ID/config.v2.json"
export TWSCOPE_DOCKER_DATA_ROOT=$DATA

setup_ns PLAIN
OUT=$TW_TMP/out
trace_start "$OUT" --port 9100 --duration 40 --json
T0=$SECONDS

# The container's namespace: made after trace started, its first process in the container cgroup.
setup_ns CT
sh -c "echo \$\$ >'$CG/cgroup.procs' && exec ip netns exec '$CT' sleep 120" &
HOLDER=$!
wait_until 10 grep -qs "docker-$ID" "/proc/$HOLDER/cgroup" ||
	{ echo "holder did not join the cgroup"; exit 1; }
wait_until 10 sh -c "[ \"\$(readlink /proc/$HOLDER/ns/net)\" = \"net:[$(stat -L -c %i "/run/netns/$CT")]\" ]" ||
	{ echo "holder did not enter $CT"; exit 1; }
"$TWSCOPE" stat -A --json >"$TW_TMP/all.json" 2>/dev/null
check_eq "stat -A names it the same way" "docker tw-web1" \
	"$(jqv "$TW_TMP/all.json" ".namespaces[] | select(.netns.netns_name == \"$CT\") | .netns.label")"

NS=$CT trace_helper "$TW_TMP/h1" close 9100 5
NS=$PLAIN trace_helper "$TW_TMP/h2" close 9100 3
# The report is built at the end: past the 5 s between re-enumerations, so
# the container's namespace, unknown at start, is looked up again.
wait_until 15 test $((SECONDS - T0)) -ge 6
trace_stop

ino() { stat -L -c %i "/run/netns/$1"; }
names() { jqv "$OUT" "[.events[] | select(.netns == $(ino "$1") and .kind == \"active_close\") | .netns_name] | unique | join(\",\")"; }
closes() { jqv "$OUT" "[.events[] | select(.netns == $(ino "$1") and .kind == \"active_close\") | .count] | add // 0"; }
check_eq "container namespace: 5 active closes" 5 "$(closes "$CT")"
check_eq "container namespace: its container's name" "docker tw-web1" "$(names "$CT")"
check_eq "plain namespace: 3 active closes" 3 "$(closes "$PLAIN")"
check_eq "plain namespace: its /run/netns name" "$PLAIN" "$(names "$PLAIN")"
done_test
