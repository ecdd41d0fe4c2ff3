// SPDX-License-Identifier: GPL-2.0-or-later
// twscope serve landing page: polls the JSON API of the server it came from
// (docs/serve.md) and fills the census, the findings and the charts. Text
// from the system (addresses, process names, host names) only ever goes in
// through textContent; nothing is loaded from anywhere but this server.
'use strict';

(function () {
	const POLL_MS = 5000;
	const HISTORY_SEC = 3600;
	const COLORS = ['#2f81f7', '#cf222e', '#1a7f37', '#9a6700', '#8250df', '#bf3989', '#0a7480',
		'#57606a'];
	const charts = {};	// id -> { plot, key }
	let info = null;
	let polls = 0;

	function $(id) { return document.getElementById(id); }

	function setText(id, v) { $(id).textContent = v === null || v === undefined ? '–' : String(v); }

	function el(tag, cls, text) {
		const e = document.createElement(tag);
		if (cls)
			e.className = cls;
		if (text !== undefined)
			e.textContent = String(text);
		return e;
	}

	function fmt(n, digits) {
		if (n === null || n === undefined || Number.isNaN(n))
			return '–';
		return Number(n).toLocaleString('en-US', { maximumFractionDigits: digits || 0 });
	}

	async function getJSON(url) {
		const r = await fetch(url, { cache: 'no-store', credentials: 'same-origin' });
		if (!r.ok)
			throw new Error(url + ': HTTP ' + r.status);
		return r.json();
	}

	function status(text, bad) {
		const s = $('status');
		s.textContent = text;
		s.classList.toggle('error', !!bad);
	}

	function sevClass(pct) {
		return pct >= 90 ? 'critical' : pct >= 50 ? 'warning' : '';
	}

	function renderCensus(c) {
		const st = c.states && c.states.total ? c.states.total : {};
		const tw = c.time_wait || {};
		setText('c-sockets', fmt(c.sockets));
		setText('c-time-wait', fmt(tw.total));
		setText('c-established', fmt(st.established));
		setText('c-close-wait', fmt(st.close_wait));
		setText('c-ratio', tw.per_established === null ? '–' : fmt(tw.per_established, 2));
		setText('c-usable', c.port_range ? fmt(c.port_range.usable) : '–');
		setText('side-client', fmt(tw.client));
		setText('side-server', fmt(tw.server));
		setText('side-unknown', fmt(tw.unknown));
		const body = $('dests').tBodies[0];
		const rows = [];
		for (const d of c.destinations || []) {
			const tr = el('tr');
			tr.dataset.remote = d.remote + ':' + d.remote_port;
			tr.append(el('td', '', d.local), el('td', '', d.remote + ' port ' + d.remote_port),
				el('td', '', fmt(d.held)), el('td', '', fmt(d.time_wait)),
				el('td', '', fmt(d.established)));
			const use = el('td');
			const bar = el('span', 'bar ' + sevClass(d.utilization_pct));
			const fill = el('span');
			fill.style.width = Math.min(100, Math.max(0, d.utilization_pct)) + '%';
			bar.append(fill);
			use.append(bar, document.createTextNode(fmt(d.utilization_pct, 2) + ' %'));
			tr.append(use, el('td', '', fmt(d.close_rate_per_sec, 1)), el('td', '', d.trend));
			rows.push(tr);
		}
		body.replaceChildren(...rows);
		$('dests-none').hidden = rows.length > 0;
		$('census').dataset.at = c.at;
	}

	function renderFindings(f) {
		const list = $('findings-list');
		const shown = (f.findings || []).filter(x => x.severity === 'critical' ||
			x.severity === 'warning' || x.severity === 'unknown');
		const at = f.evaluated_at ? new Date(f.evaluated_at * 1000).toLocaleTimeString() : '';
		$('findings-state').textContent = 'Overall ' + f.state + ' (' +
			(f.counts ? fmt(f.counts.ok) + ' rules ok' : '') + (at ? ', evaluated ' + at : '') + ')';
		const items = shown.map(x => {
			const li = el('li', x.severity);
			li.dataset.id = x.id;
			li.append(el('span', 'sev', x.severity), el('strong', '', x.title || x.id),
				el('span', 'muted', ' [' + x.id + ']'));
			if (x.evidence && x.evidence.length) {
				const ul = el('ul', 'evidence');
				for (const e of x.evidence)
					ul.append(el('li', '', e));
				li.append(ul);
			}
			if (x.fix && x.fix.length)
				li.append(el('div', 'muted', 'Fix: ' + x.fix[0]));
			return li;
		});
		if (!items.length)
			items.push(el('li', '', 'No problem found.'));
		list.replaceChildren(...items);
		$('findings').dataset.state = f.state;
	}

	// One chart's data in uPlot's layout: [xs, ys...]; a gap longer than
	// three steps gets a null point so no line is drawn across it.
	function alignSeries(series, step) {
		const times = new Set();
		for (const s of series)
			for (const p of s.points)
				times.add(p[0]);
		const xs = Array.from(times).sort((a, b) => a - b);
		if (!(step > 0)) {
			// no fixed step (serve --sample-interval 0): the median spacing
			const d = xs.slice(1).map((t, i) => t - xs[i]).sort((a, b) => a - b);
			step = d.length ? d[d.length >> 1] : 1;
		}
		const gap = Math.max(1, step) * 3;
		const out = [];
		for (let i = 0; i < xs.length; i++) {
			if (i > 0 && xs[i] - xs[i - 1] > gap)
				out.push(xs[i - 1] + Math.max(1, step));
			out.push(xs[i]);
		}
		const index = new Map(out.map((t, i) => [t, i]));
		const data = [out];
		for (const s of series) {
			const ys = new Array(out.length).fill(null);
			for (const p of s.points)
				ys[index.get(p[0])] = p[2];	// avg of [t, min, avg, max]
			data.push(ys);
		}
		return data;
	}

	function lastValues(series) {
		const last = {};
		for (const s of series)
			last[s.name] = s.points.length ? s.points[s.points.length - 1][2] : null;
		return last;
	}

	function drawChart(id, title, unit, series, step) {
		const box = $(id);
		const names = series.map(s => s.name);
		box.dataset.series = JSON.stringify(names);
		box.dataset.last = JSON.stringify(lastValues(series));
		if (!series.length) {
			if (charts[id]) {
				charts[id].plot.destroy();
				delete charts[id];
			}
			box.replaceChildren(el('p', 'muted', title + ': no samples yet'));
			box.dataset.points = '0';
			return;
		}
		const data = alignSeries(series, step);
		box.dataset.points = String(data[0].length);
		const key = names.join('\n');
		const width = Math.max(300, box.clientWidth || 800);
		if (charts[id] && charts[id].key === key) {
			charts[id].plot.setData(data);
			return;
		}
		if (charts[id])
			charts[id].plot.destroy();
		box.replaceChildren();
		const opts = {
			title: title,
			width: width,
			height: 220,
			scales: { x: { time: true } },
			axes: [{}, { label: unit, size: 70 }],
			series: [{}].concat(series.map((s, i) => ({
				label: s.name.replace(/^dest_use_pct:/, ''),
				stroke: COLORS[i % COLORS.length],
				width: 1.5,
				spanGaps: false,
			}))),
		};
		charts[id] = { plot: new uPlot(opts, data, box), key: key };
	}

	function renderCharts(h, source) {
		const all = h.series || [];
		const pick = names => all.filter(s => names.includes(s.name));
		const step = h.step_sec || 1;
		drawChart('chart-sockets', 'Sockets: TIME_WAIT, ESTABLISHED, CLOSE_WAIT', 'sockets',
			pick(['time_wait', 'established', 'close_wait']), step);
		drawChart('chart-rate', 'Connections entering TIME_WAIT per second', 'per second',
			pick(['tw_rate']), step);
		drawChart('chart-dests', 'Ephemeral port use per destination', '% of usable ports',
			all.filter(s => s.name.startsWith('dest_use_pct:')), step);
		$('charts-source').textContent = source === 'history'
			? 'From the recorder\'s history, the last hour.'
			: 'From serve\'s memory: the last ' + fmt(info ? info.series_samples : null) +
			  ' samples, one every ' + fmt(step) + ' s (kept only while serve runs).';
		const ev = (h.events || []).slice(-20).map(e => el('li', e.severity,
			new Date(e.t * 1000).toLocaleString() + ' ' + e.severity + ' ' + e.id + ': ' + e.text));
		$('events').replaceChildren(...ev);
	}

	async function poll() {
		try {
			if (!info) {
				info = await getJSON('/api/info');
				$('where').textContent = info.host + (info.netns !== 'host' ? ' · netns ' + info.netns : '');
			}
			const census = getJSON('/api/census');
			const findings = info.findings ? getJSON('/api/findings') : null;
			let hist;
			let source = 'series';
			if (info.history) {
				const now = Math.floor(Date.now() / 1000);
				hist = getJSON('/api/history?since=' + (now - HISTORY_SEC) + '&until=' + now);
				source = 'history';
			} else {
				hist = getJSON('/api/series');
			}
			renderCensus(await census);
			if (findings)
				renderFindings(await findings);
			else
				$('findings-state').textContent = 'Findings are off (--findings-interval 0).';
			renderCharts(await hist, source);
			polls++;
			document.body.dataset.polls = String(polls);
			status('updated ' + new Date().toLocaleTimeString(), false);
		} catch (e) {
			status('cannot update: ' + e.message, true);
		}
	}

	window.addEventListener('resize', () => {
		for (const id in charts)
			charts[id].plot.setSize({ width: Math.max(300, $(id).clientWidth), height: 220 });
	});
	poll();
	setInterval(poll, POLL_MS);
})();
