# SPDX-License-Identifier: GPL-2.0-or-later
# Summarise bench/trace-loop.sh output: median CPU ns/conn per mode, the
# median of the per-pair differences, its min..max, and % of a core at 50k/s.
function med(a, n,   i, j, t) {
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
/^(on|off) / {
	split($3, c, "="); v = c[2]
	if ($1 == "on") on[++non] = v; else off[++noff] = v
}
END {
	np = non < noff ? non : noff
	for (i = 1; i <= np; i++) { d[i] = on[i] - off[i]; if (i == 1 || d[i] < lo) lo = d[i]; if (i == 1 || d[i] > hi) hi = d[i] }
	m = med(d, np)
	printf "off median %.0f ns/conn, on median %.0f ns/conn; per-pair delta median %.0f ns (min %.0f, max %.0f) = %.2f%% of a core at 50k conn/s (range %.2f..%.2f)\n",
		med(off, noff), med(on, non), m, lo, hi, m * 0.005, lo * 0.005, hi * 0.005
}
