#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Load serve's landing page in headless Chromium through chromedriver's
WebDriver HTTP API (python3's standard library only, no npm) and print one
JSON report: console messages, every URL the page requested, what the page
shows (read back from the DOM and the charts' data-* attributes), after the
page polled at least --polls times. A screenshot goes to --screenshot.

usage: page-check.py --url URL --screenshot FILE [--polls N] [--timeout SEC]
                     [--chromium /usr/bin/chromium] [--chromedriver /usr/bin/chromedriver]

Every wait is bounded; chromedriver (and with it the browser) is killed on
every exit path. Exit 0 with the report, 1 on a driver failure.
"""
import argparse
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

STATE_JS = """
const q = id => document.getElementById(id);
const chart = id => { const d = q(id).dataset;
  return { series: d.series ? JSON.parse(d.series) : null, last: d.last ? JSON.parse(d.last) : null,
           points: d.points ? Number(d.points) : null,
           canvas: q(id).querySelector('canvas') !== null }; };
return {
  polls: Number(document.body.dataset.polls || 0),
  status: q('status').textContent,
  status_error: q('status').classList.contains('error'),
  where: q('where').textContent,
  cards: { sockets: q('c-sockets').textContent, time_wait: q('c-time-wait').textContent,
           established: q('c-established').textContent, close_wait: q('c-close-wait').textContent,
           usable: q('c-usable').textContent },
  sides: { client: q('side-client').textContent, server: q('side-server').textContent,
           unknown: q('side-unknown').textContent },
  dest_rows: Array.from(q('dests').tBodies[0].rows).map(r => ({ remote: r.dataset.remote,
           cells: Array.from(r.cells).map(c => c.textContent) })),
  findings_state: q('findings').dataset.state || null,
  findings: Array.from(document.querySelectorAll('#findings-list > li')).map(li =>
           ({ id: li.dataset.id || null, severity: li.className, text: li.textContent })),
  charts: { sockets: chart('chart-sockets'), rate: chart('chart-rate'), dests: chart('chart-dests') },
  script_elements_inline: Array.from(document.scripts).filter(s => !s.src).length,
};
"""


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Driver:
    def __init__(self, base, timeout):
        self.base = base
        self.timeout = timeout
        self.session = None

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={'Content-Type': 'application/json'})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                return json.loads(r.read().decode())['value']
        except urllib.error.HTTPError as e:
            raise RuntimeError('%s %s: %s' % (method, path, e.read().decode()[:500]))

    def s(self, method, path, body=None):
        return self.call(method, '/session/%s%s' % (self.session, path), body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--url', required=True)
    ap.add_argument('--screenshot', required=True)
    ap.add_argument('--polls', type=int, default=2)
    ap.add_argument('--timeout', type=float, default=60)
    ap.add_argument('--chromium', default='/usr/bin/chromium')
    ap.add_argument('--chromedriver', default='/usr/bin/chromedriver')
    a = ap.parse_args()
    deadline = time.monotonic() + a.timeout
    profile = tempfile.mkdtemp(prefix='twscope-chromium.')
    port = free_port()
    # its own process group, so the browser it starts dies with it
    drv = subprocess.Popen([a.chromedriver, '--port=%d' % port, '--allowed-ips=127.0.0.1'],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)

    def kill_all(*_):
        try:
            os.killpg(drv.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        drv.wait()
        shutil.rmtree(profile, ignore_errors=True)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    d = Driver('http://127.0.0.1:%d' % port, 20)
    try:
        while True:
            try:
                if d.call('GET', '/status').get('ready'):
                    break
            except (OSError, RuntimeError):
                pass
            if time.monotonic() > deadline or drv.poll() is not None:
                raise RuntimeError('chromedriver did not start')
            time.sleep(0.1)
        caps = {'capabilities': {'alwaysMatch': {
            'browserName': 'chrome',
            'goog:chromeOptions': {
                'binary': a.chromium,
                'args': [
                    '--headless=new',
                    # CI runs the tests as root, and Chromium's sandbox
                    # refuses to start as root: --no-sandbox is required there.
                    '--no-sandbox',
                    '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
                    '--disable-background-networking', '--disable-component-update',
                    '--disable-default-apps', '--disable-extensions', '--disable-sync',
                    # no name resolves: a request to any other host fails
                    # (and still shows in the performance log below)
                    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
                    '--window-size=1280,1800',
                    '--user-data-dir=' + profile,
                ],
            },
            'goog:loggingPrefs': {'browser': 'ALL', 'performance': 'ALL'},
        }}}
        d.session = d.call('POST', '/session', caps)['sessionId']
        d.s('POST', '/timeouts', {'pageLoad': 20000, 'script': 10000, 'implicit': 0})
        d.s('POST', '/url', {'url': a.url})
        state = None
        while time.monotonic() < deadline:
            state = d.s('POST', '/execute/sync', {'script': STATE_JS, 'args': []})
            if state['polls'] >= a.polls:
                break
            time.sleep(0.25)
        with open(a.screenshot, 'wb') as f:
            f.write(base64.b64decode(d.s('GET', '/screenshot')))
        console = d.s('POST', '/se/log', {'type': 'browser'})
        perf = d.s('POST', '/se/log', {'type': 'performance'})
        urls = []
        for e in perf:
            m = json.loads(e['message'])['message']
            if m.get('method') == 'Network.requestWillBeSent':
                urls.append(m['params']['request']['url'])
        d.s('DELETE', '')
        d.session = None
        print(json.dumps({'state': state, 'console': console, 'requests': urls}, indent=1))
        return 0
    except Exception as e:  # the report says why; the caller fails the test
        print('page-check: %s' % e, file=sys.stderr)
        return 1
    finally:
        kill_all()


if __name__ == '__main__':
    sys.exit(main())
