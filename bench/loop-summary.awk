# SPDX-License-Identifier: GPL-2.0-or-later
# Summarise bench/trace-loop.sh output: per mode, the median CPU ns/conn
# (the loop's plus twscope's own, tracer_ns); per traced mode, the median
# of its per-round difference to the untraced run of the same round,
# min..max, and that in % of one core at 50k conn/s.
# Rounds in which another CPU was busier than max_others % (default 15;
# awk -v max_others=N) are dropped: someone else was loading the machine.
function med(a, n,   i, j, t, b) {
	for (i = 1; i <= n; i++) b[i] = a[i]
	for (i = 2; i <= n; i++) for (j = i; j > 1 && b[j-1] > b[j]; j--) { t = b[j]; b[j] = b[j-1]; b[j-1] = t }
	return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
}
BEGIN { if (max_others == "") max_others = 15 }
/cpu_ns=/ {
	split($5, ot, "="); sub("%", "", ot[2])
	if (ot[2] + 0 > max_others + 0) bad[$1 + 1] = 1
	split($4, c, "=")
	tr[1] = tr[2] = 0
	if ($6 ~ /^tracer_ns=/) split($6, tr, "=")
	if ($1 + 1 > rnd) rnd = $1 + 1
	if (!($2 in seen)) { seen[$2] = 1; if ($2 != "off") modes[++nm] = $2 }
	val[$2, $1 + 1] = c[2] + tr[2]
	own[$2, $1 + 1] = tr[2]
}
END {
	for (i = 1; i <= rnd; i++) if (i in bad) { for (m in seen) delete val[m, i]; nbad++ }
	n = 0
	for (i = 1; i <= rnd; i++) if (("off", i) in val) o[++n] = val["off", i]
	printf "off: median %.0f ns/conn over %d rounds (%d busy rounds dropped)\n", med(o, n), n, nbad
	for (m = 1; m <= nm; m++) {
		n = 0
		for (i = 1; i <= rnd; i++) if ((modes[m], i) in val && ("off", i) in val) {
			n++; d[n] = val[modes[m], i] - val["off", i]; v[n] = val[modes[m], i]
			t[n] = own[modes[m], i]
		}
		lo = hi = d[1]; for (i = 2; i <= n; i++) { if (d[i] < lo) lo = d[i]; if (d[i] > hi) hi = d[i] }
		x = med(d, n)
		printf "%s: median %.0f ns/conn (twscope itself %.0f); delta median %.0f ns (min %.0f, max %.0f) = %.2f%% of a core at 50k conn/s (%.2f..%.2f), %d rounds\n",
			modes[m], med(v, n), med(t, n), x, lo, hi, x * 0.005, lo * 0.005, hi * 0.005, n
	}
}
