# SPDX-License-Identifier: GPL-2.0-or-later
# Summarise bench/trace-cpu.sh output: per pair (consecutive off/on rounds)
# the traced-minus-untraced machine busy % and load task-clock %, their
# medians and min..max, in % of one core.
function med(a, n,   i, j, t, b) {
	for (i = 1; i <= n; i++) b[i] = a[i]
	for (i = 2; i <= n; i++) for (j = i; j > 1 && b[j-1] > b[j]; j--) { t = b[j]; b[j] = b[j-1]; b[j-1] = t }
	return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
}
function span(a, n,   i, lo, hi) {
	lo = hi = a[1]; for (i = 2; i <= n; i++) { if (a[i] < lo) lo = a[i]; if (a[i] > hi) hi = a[i] }
	return sprintf("%.1f..%.1f", lo, hi)
}
$1 == "off" || $1 == "on" {
	r++; busy[$1] = $2; tc[$1] = $6
	if (r % 2 == 0) { n++; db[n] = busy["on"] - busy["off"]; dt[n] = tc["on"] - tc["off"] }
}
END {
	printf "pairs %d: busy delta median %.1f%% (%s), load task-clock delta median %.1f%% (%s)\n",
		n, med(db, n), span(db, n), med(dt, n), span(dt, n)
}
