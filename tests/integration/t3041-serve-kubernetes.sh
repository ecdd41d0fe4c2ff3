#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# deploy/kubernetes without a cluster (no kubectl here): the manifests are
# well-formed YAML with the fields Kubernetes requires, the DaemonSet has
# hostPID/hostNetwork, exactly the three capabilities, a read-only root,
# resource limits and probes on /healthz; Service, ServiceMonitor and the
# plain scrape config select it; promtool accepts the scrape config (with
# static targets for the Kubernetes discovery Debian's promtool lacks); and
# the DaemonSet's own arguments start a serve -A that answers /metrics.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"
python3 -c 'import yaml' 2>/dev/null || skip "python3-yaml missing (make test-deps)"
command -v promtool >/dev/null || skip "promtool missing (Debian package prometheus; make deps)"
REPO=$(cd "$(dirname "$0")/../.." && pwd)
K=$REPO/deploy/kubernetes

out=$(python3 - "$K" "$TW_TMP" <<'PY' 2>&1
import sys, yaml
k, tmp = sys.argv[1], sys.argv[2]
errors = []
def need(cond, what):
    if not cond:
        errors.append(what)
def get(d, path):
    for p in path.split("."):
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d

docs = [d for d in yaml.safe_load_all(open(k + "/twscope.yaml")) if d is not None]
kinds = [d.get("kind") for d in docs]
need(kinds == ["Namespace", "DaemonSet", "Service"], "twscope.yaml kinds: %s" % kinds)
for d in docs:
    need(d.get("apiVersion") and get(d, "metadata.name"), "apiVersion and metadata.name: %s" % d.get("kind"))
ns, ds, svc = docs + [None] * (3 - len(docs)) if len(docs) < 3 else docs[:3]
NS = get(ns, "metadata.name")
need(get(ds, "apiVersion") == "apps/v1", "DaemonSet apiVersion apps/v1")
need(get(ds, "metadata.namespace") == NS and get(svc, "metadata.namespace") == NS, "objects in the Namespace")
sel = get(ds, "spec.selector.matchLabels") or {}
tlabels = get(ds, "spec.template.metadata.labels") or {}
need(sel and all(tlabels.get(a) == b for a, b in sel.items()), "selector matches the template's labels")
pod = get(ds, "spec.template.spec") or {}
need(pod.get("hostPID") is True, "hostPID")
need(pod.get("hostNetwork") is True, "hostNetwork")
cs = pod.get("containers") or []
need(len(cs) == 1, "one container")
c = cs[0] if cs else {}
need(c.get("name") and c.get("image"), "container name and image")
args = c.get("args") or []
need(args[:1] == ["serve"] and "--all-netns" in args, "args: serve --all-netns")
need(any(a.startswith("--listen=") and a.endswith(":26060") for a in args), "args: --listen=...:26060")
ports = {p.get("name"): p for p in c.get("ports") or []}
need(get(ports, "metrics.containerPort") == 26060, "containerPort 26060 named metrics")
for probe in ("readinessProbe", "livenessProbe"):
    need(get(c, probe + ".httpGet.path") == "/healthz" and get(c, probe + ".httpGet.port") == "metrics",
         probe + " on /healthz")
sc = c.get("securityContext") or {}
need(sc.get("readOnlyRootFilesystem") is True, "readOnlyRootFilesystem")
need(sc.get("privileged") is False and sc.get("allowPrivilegeEscalation") is False, "not privileged")
need(get(sc, "capabilities.drop") == ["ALL"], "capabilities drop ALL")
need(sorted(get(sc, "capabilities.add") or []) == ["DAC_READ_SEARCH", "SYS_ADMIN", "SYS_PTRACE"],
     "capabilities add exactly SYS_ADMIN SYS_PTRACE DAC_READ_SEARCH: %s" % get(sc, "capabilities.add"))
for r in ("requests", "limits"):
    need(get(c, "resources." + r + ".cpu") and get(c, "resources." + r + ".memory"), "resources." + r)
vols = {v.get("name"): v for v in pod.get("volumes") or []}
for m in c.get("volumeMounts") or []:
    need(m.get("name") in vols, "volumeMount %s has a volume" % m.get("name"))
    need(m.get("readOnly") is True, "volumeMount %s read-only" % m.get("name"))
    need(get(vols.get(m.get("name"), {}), "hostPath.path") == m.get("mountPath"),
         "volume %s mounted at the host's path" % m.get("name"))
need(get(svc, "spec.selector") == sel, "Service selects the DaemonSet's pods")
sports = {p.get("name"): p for p in get(svc, "spec.ports") or []}
need(get(sports, "metrics.targetPort") == "metrics", "Service port metrics -> metrics")

sm = [d for d in yaml.safe_load_all(open(k + "/servicemonitor.yaml")) if d is not None]
need(len(sm) == 1 and sm[0].get("kind") == "ServiceMonitor", "one ServiceMonitor")
sm = sm[0] if sm else {}
need(sm.get("apiVersion") == "monitoring.coreos.com/v1", "ServiceMonitor apiVersion")
smsel = get(sm, "spec.selector.matchLabels") or {}
slabels = get(svc, "metadata.labels") or {}
need(smsel and all(slabels.get(a) == b for a, b in smsel.items()), "ServiceMonitor selects the Service")
need(NS in (get(sm, "spec.namespaceSelector.matchNames") or []), "ServiceMonitor looks in the Namespace")
eps = get(sm, "spec.endpoints") or []
need(len(eps) == 1 and eps[0].get("port") == "metrics" and eps[0].get("path") == "/metrics", "endpoint metrics")
secs = lambda s: int(str(s).rstrip("s"))
need(eps and secs(eps[0]["scrapeTimeout"]) < secs(eps[0]["interval"]), "scrapeTimeout < interval")

sc = yaml.safe_load(open(k + "/prometheus-scrape.yml"))
jobs = sc.get("scrape_configs") or []
need(len(jobs) == 1 and jobs[0].get("job_name") == "twscope", "one twscope job")
job = jobs[0] if jobs else {}
need(NS in (get((job.get("kubernetes_sd_configs") or [{}])[0], "namespaces.names") or []), "job looks in the Namespace")
keep = [r for r in job.get("relabel_configs") or [] if r.get("action") == "keep"]
need(any(r.get("regex") == tlabels.get("app.kubernetes.io/name") for r in keep), "job keeps the pods by label")
# promtool: the same job with static targets in place of the discovery
job = dict(job)
job.pop("kubernetes_sd_configs", None)
job["static_configs"] = [{"targets": ["node1:26060"]}]
yaml.safe_dump({"scrape_configs": [job]}, open(tmp + "/scrape-static.yml", "w"))
open(tmp + "/args", "w").write("\n".join(args) + "\n")
print("\n".join(errors) if errors else "ok")
PY
)
check_eq "manifests" ok "$out"

out=$(promtool check config "$TW_TMP/scrape-static.yml" 2>&1); rc=$?
check_eq "promtool check config (static targets)" 0 "$rc"
[ "$rc" -eq 0 ] || echo "$out"

# The DaemonSet's arguments, on loopback: a serve -A that answers.
if [ "$(id -u)" -ne 0 ]; then
	echo "note: not root, the DaemonSet's arguments were not run"
else
	mapfile -t ARGS < <(sed 's/^--listen=.*/--listen=127.0.0.1:0/' "$TW_TMP/args")
	[ "${ARGS[0]}" = serve ] || { echo "args do not start with serve"; exit 1; }
	SERVE_ERR=$TW_TMP/serve.err
	"$TWSCOPE" "${ARGS[@]}" 2>"$SERVE_ERR" &
	SERVE_PID=$!
	TW_PIDS+=("$SERVE_PID")
	wait_until 10 grep -q 'listening on' "$SERVE_ERR" || { echo "serve did not start: $(cat "$SERVE_ERR")"; exit 1; }
	SERVE_URL=http://127.0.0.1:$(sed -n 's|.*http://127\.0\.0\.1:\([0-9]*\)/metrics$|\1|p' "$SERVE_ERR")
	check_eq "DaemonSet args: /healthz" 200 "$(http_code "$SERVE_URL/healthz")"
	curl -s -m 20 -o "$TW_TMP/m" "$SERVE_URL/metrics"
	check_eq "DaemonSet args: netns families" 1 "$(grep -c '^twscope_netns_namespaces{kind="found"}' "$TW_TMP/m")"
fi
done_test
