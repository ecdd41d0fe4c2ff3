#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Read back what twscope graph/report wrote, for the t63xx tests (Python 3
standard library only: xml.etree, zlib). Each query prints one value that the
shell test compares with check_eq:

  xml FILE                 "ok" when FILE parses as XML, else the parser error
  svgs-in-html FILE        "N ok" when each <svg>..</svg> in the HTML parses
                           and every #id it references is defined inside it
  points FILE NAME         the drawn points of series NAME: "t:avg t:avg ..."
  minmax FILE NAME         the same as "t:min:avg:max ..."
  drawn FILE NAME          "ok" when cairo's stroke path in NAME's colour has a
                           vertex on, or runs within one pixel of, every drawn
                           point and every vertex is one of them; else why
  segments FILE NAME       subpaths of that stroke path (gaps split it)
  has-text FILE TEXT       "yes" when a <text> of the SVG is exactly TEXT
  texts FILE               every <text>, one a line
  size PNG                 "WxH"
  colorpx PNG RRGGBB       pixels within 40 of that colour (per channel)
  nonwhite PNG             pixels that are not near white
"""
import re
import struct
import sys
import xml.etree.ElementTree as ET
import zlib

NS = {"s": "http://www.w3.org/2000/svg"}


def svg_root(path):
    return ET.parse(path).getroot()


def series_el(root, name):
    for g in root.iter("{http://www.w3.org/2000/svg}g"):
        if g.get("data-name") == name:
            return g
    return None


def panel_of(root, name):
    for p in root.iter("{http://www.w3.org/2000/svg}g"):
        if p.get("id", "").startswith("panel-") or re.match(r"^g\d-panel-", p.get("id", "")):
            for g in p:
                if g.get("data-name") == name:
                    return p
    return None


def drawn_points(root, name):
    g = series_el(root, name)
    if g is None or not g.get("data-points"):
        return []
    pts = []
    for item in g.get("data-points").split(";"):
        f = item.split()
        gap = f[0] == "gap"
        if gap:
            f = f[1:]
        pts.append((int(f[0]), float(f[1]), float(f[2]), float(f[3]), gap))
    return pts


def fmt(v):
    return ("%d" % v) if v == int(v) else ("%g" % v)


def rgb_of_style(style):
    m = re.search(r"stroke:rgb\(([\d.]+)%,([\d.]+)%,([\d.]+)%\)", style or "")
    if not m:
        return None
    return tuple(round(float(x) * 255 / 100) for x in m.groups())


def series_path(root, name):
    """The longest stroke path in the series' colour inside its panel's plot
    (the legend swatch sits above it; other panels may reuse the colour)."""
    g = series_el(root, name)
    pnl = panel_of(root, name)
    x0, x1 = float(pnl.get("data-x0")), float(pnl.get("data-x1"))
    yt, yb = float(pnl.get("data-y-top")), float(pnl.get("data-y-bottom"))
    want = tuple(int(g.get("data-color")[i:i + 2], 16) for i in (1, 3, 5))
    best = None
    for p in root.iter("{http://www.w3.org/2000/svg}path"):
        st = p.get("style", "")
        if "fill:none" not in st or rgb_of_style(st) != want:
            continue
        d = p.get("d", "")
        inside = all(x0 - 2 <= x <= x1 + 2 and yt - 2 <= y <= yb + 2 for s in subpaths(d) for (x, y) in s)
        if inside and (best is None or len(d) > len(best)):
            best = d
    return best


def subpaths(d):
    toks = re.findall(r"[MLCZ]|-?[\d.]+(?:e-?\d+)?", d or "")
    subs, cur, i = [], None, 0
    while i < len(toks):
        t = toks[i]
        if t == "M":
            cur = [(float(toks[i + 1]), float(toks[i + 2]))]
            subs.append(cur)
            i += 3
        elif t == "L":
            cur.append((float(toks[i + 1]), float(toks[i + 2])))
            i += 3
        elif t == "C":
            cur.append((float(toks[i + 5]), float(toks[i + 6])))
            i += 7
        else:
            i += 1
    return subs


def drawn_check(root, name):
    p = panel_of(root, name)
    pts = drawn_points(root, name)
    if p is None or not pts:
        return "no such series"
    x0, x1 = float(p.get("data-x0")), float(p.get("data-x1"))
    yt, yb = float(p.get("data-y-top")), float(p.get("data-y-bottom"))
    vt, vb = float(p.get("data-v-top")), float(p.get("data-v-bottom"))
    t0, t1 = int(root.find("s:metadata", NS).get("data-t0")), int(root.find("s:metadata", NS).get("data-t1"))

    def px(t, v):
        return (x0 + (t - t0) / (t1 - t0) * (x1 - x0), yb - (v - vb) / (vt - vb) * (yb - yt))

    want = [px(t, a) for (t, _mn, a, _mx, _g) in pts]
    subs = subpaths(series_path(root, name))
    if not subs:
        return "no stroke path in the series colour"
    # every vertex is a data point
    for s in subs:
        for (x, y) in s:
            if not any(abs(x - wx) <= 1 and abs(y - wy) <= 1 for (wx, wy) in want):
                return "vertex %.1f,%.1f is no data point" % (x, y)
    # every data point lies on the path (cairo drops collinear vertices)
    for (wx, wy) in want:
        ok = False
        for s in subs:
            if len(s) == 1 and abs(s[0][0] - wx) <= 1 and abs(s[0][1] - wy) <= 1:
                ok = True
            for (a, b) in zip(s, s[1:]):
                if min(a[0], b[0]) - 1 <= wx <= max(a[0], b[0]) + 1:
                    y = a[1] if b[0] == a[0] else a[1] + (wx - a[0]) / (b[0] - a[0]) * (b[1] - a[1])
                    if abs(y - wy) <= 1:
                        ok = True
        if not ok:
            return "point %.1f,%.1f is not on the path" % (wx, wy)
    return "ok"


def png_pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, typ = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if typ == b"IHDR":
            w, h, depth, ctype, _c, _f, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise ValueError("unsupported PNG (depth %d, type %d)" % (depth, ctype))
            bpp = 3 if ctype == 2 else 4
        elif typ == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    rows = []
    i = 0
    for _ in range(h):
        ft = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ft == 1:
                line[x] = (line[x] + a) & 255
            elif ft == 2:
                line[x] = (line[x] + b) & 255
            elif ft == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def pixels(path):
    w, h, bpp, rows = png_pixels(path)
    for r in rows:
        for x in range(w):
            px = r[x * bpp:x * bpp + bpp]
            alpha = px[3] if bpp == 4 else 255
            # composite on white (rsvg leaves the background transparent)
            yield tuple((c * alpha + 255 * (255 - alpha)) // 255 for c in px[:3])


def main(argv):
    q, f = argv[1], argv[2]
    if q == "xml":
        try:
            ET.parse(f)
            print("ok")
        except ET.ParseError as e:
            print("parse error: %s" % e)
    elif q == "svgs-in-html":
        html = open(f, encoding="utf-8").read()
        svgs = re.findall(r"<svg\b.*?</svg>", html, re.S)
        for s in svgs:
            root = ET.fromstring(s)
            ids = {e.get("id") for e in root.iter() if e.get("id")}
            refs = re.findall(r'href="#([^"]+)"', s) + re.findall(r"url\(#([^)]+)\)", s)
            missing = [r for r in refs if r not in ids]
            if missing:
                print("%d svgs, undefined id %s" % (len(svgs), missing[0]))
                return
        all_ids = re.findall(r'(?<![\w-])id="([^"]+)"', html)
        dup = len(all_ids) - len(set(all_ids))
        print("%d ok" % len(svgs) if not dup else "%d duplicate ids" % dup)
    elif q == "points":
        print(" ".join("%d:%s" % (t, fmt(a)) for (t, _mn, a, _mx, _g) in drawn_points(svg_root(f), argv[3])))
    elif q == "minmax":
        print(" ".join("%d:%s:%s:%s" % (t, fmt(mn), fmt(a), fmt(mx))
                       for (t, mn, a, mx, _g) in drawn_points(svg_root(f), argv[3])))
    elif q == "drawn":
        print(drawn_check(svg_root(f), argv[3]))
    elif q == "segments":
        print(len(subpaths(series_path(svg_root(f), argv[3]))))
    elif q == "has-text":
        texts = [t.text for t in svg_root(f).iter("{http://www.w3.org/2000/svg}text")]
        print("yes" if argv[3] in texts else "no")
    elif q == "texts":
        for t in svg_root(f).iter("{http://www.w3.org/2000/svg}text"):
            print(t.text)
    elif q == "size":
        w, h, _b, _r = png_pixels(f)
        print("%dx%d" % (w, h))
    elif q == "colorpx":
        want = tuple(int(argv[3][i:i + 2], 16) for i in (0, 2, 4))
        print(sum(1 for p in pixels(f) if all(abs(a - b) <= 40 for a, b in zip(p, want))))
    elif q == "nonwhite":
        print(sum(1 for p in pixels(f) if min(p) < 235))
    else:
        print("unknown query %s" % q)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
