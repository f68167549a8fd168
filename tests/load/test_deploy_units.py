"""Pure parts of the deployment and of the load script: percentiles, the access log, the
rendered nginx configuration (checked by nginx itself when it is installed)."""
from __future__ import annotations

import subprocess

import pytest

from bench.bench_users import parse_access_log, percentile, rate, table_rows, RunResult
from deploy.serve import TEMPLATE, find_nginx, parse_listen, render_config

BACKENDS = [("127.0.0.1", 8601), ("127.0.0.1", 8602)]


def render(tmp_path, **kw):
    args = dict(listen="127.0.0.1:8600", backends=BACKENDS, runtime_dir=tmp_path)
    args.update(kw)
    return render_config(TEMPLATE.read_text(encoding="utf-8"), **args)


# ------------------------------------------------------------------ percentiles
def test_percentile_interpolates_between_ranks():
    xs = [0.4, 0.1, 0.3, 0.2]                    # sorted: 0.1 0.2 0.3 0.4
    assert percentile(xs, 50) == pytest.approx(0.25)
    assert percentile(xs, 95) == pytest.approx(0.385)      # 0.3 + 0.85 × 0.1
    assert percentile(xs, 0) == 0.1
    assert percentile(xs, 100) == 0.4


def test_percentile_of_one_value_and_of_none():
    assert percentile([2.5], 95) == 2.5
    assert percentile([], 50) is None


def test_percentile_agrees_with_numpy():
    np = pytest.importorskip("numpy")
    xs = [0.07, 1.9, 0.31, 0.12, 0.5, 0.05, 4.2, 0.33, 0.09, 0.2, 0.8]
    for q in (5, 50, 90, 95, 99):
        assert percentile(xs, q) == pytest.approx(float(np.percentile(xs, q)))


def test_percentile_refuses_out_of_range():
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_rate():
    assert rate(45, 3.0) == 15.0
    assert rate(5, 0.0) == 0.0


# ------------------------------------------------------------------ access log
def test_parse_access_log_groups_upstreams_by_route():
    log = "\n".join([
        '127.0.0.1 [02/Dec/2026:02:55:58 +0000] "GET /one_map HTTP/1.1" 200 7863 '
        'route=aaa upstream=127.0.0.1:8601 time=0.099',
        '127.0.0.1 [02/Dec/2026:02:55:58 +0000] "GET /_stcore/stream HTTP/1.1" 101 9 '
        'route=aaa upstream=127.0.0.1:8601 time=9.2',
        '127.0.0.1 [02/Dec/2026:02:55:59 +0000] "GET /one_map HTTP/1.1" 200 7863 '
        'route=bbb upstream=127.0.0.1:8601 time=0.003',
        # a retry on the other process after the first failed: nginx lists both
        '127.0.0.1 [02/Dec/2026:02:55:59 +0000] "GET /media/x.png HTTP/1.1" 200 9 '
        'route=bbb upstream=127.0.0.1:8601, 127.0.0.1:8602 time=0.003',
        '127.0.0.1 [02/Dec/2026:02:56:00 +0000] "GET /x HTTP/1.1" 400 0 route=ccc upstream=- '
        'time=0.000',
    ])
    assert parse_access_log(log) == {"aaa": {"127.0.0.1:8601"},
                                     "bbb": {"127.0.0.1:8601", "127.0.0.1:8602"}}


# ------------------------------------------------------------------ nginx configuration
def test_config_fills_every_field(tmp_path):
    conf = render(tmp_path)
    assert "@" not in "".join(l for l in conf.splitlines() if not l.lstrip().startswith("#"))
    assert "listen 127.0.0.1:8600;" in conf
    assert "server 127.0.0.1:8601 max_fails=1 fail_timeout=5s;" in conf
    assert "server 127.0.0.1:8602 max_fails=1 fail_timeout=5s;" in conf
    assert f"pid {tmp_path.resolve()}/nginx.pid;" in conf
    assert f"access_log {tmp_path.resolve()}/access.log fiscalmap;" in conf
    assert "daemon off;" in conf


def test_config_is_sticky_by_cookie_and_upgrades_websockets(tmp_path):
    conf = render(tmp_path, cookie="route_x")
    assert "hash $fiscalmap_route consistent;" in conf
    assert "ip_hash" not in conf.split("http {", 1)[1]
    assert 'map $cookie_route_x $fiscalmap_route {\n        ""      $request_id;\n' \
           '        default $cookie_route_x;' in conf
    assert '""      "route_x=$request_id; Path=/; HttpOnly; SameSite=Lax";' in conf
    assert "add_header Set-Cookie $fiscalmap_set_cookie always;" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_set_header Connection $fiscalmap_connection;" in conf
    assert "proxy_http_version 1.1;" in conf


def test_config_secure_cookie_and_ipv6_listen(tmp_path):
    conf = render(tmp_path, listen="[::1]:8600", secure_cookie=True, daemon=True)
    assert "listen [::1]:8600;" in conf
    assert "SameSite=Lax; Secure" in conf
    assert "daemon off;" not in conf


@pytest.mark.parametrize("kw, message", [
    (dict(backends=[("10.0.0.5", 8601)]), "loopback"),
    (dict(backends=[]), "no app process"),
    (dict(listen="127.0.0.1:0"), "not a port"),
    (dict(listen="localhost:8600"), "does not appear to be an IPv4 or IPv6 address"),
    (dict(cookie="a b"), "cookie"),
])
def test_config_refuses_unusable_settings(tmp_path, kw, message):
    with pytest.raises(ValueError, match=message):
        render(tmp_path, **kw)


def test_config_refuses_a_runtime_path_nginx_would_misread(tmp_path):
    with pytest.raises(ValueError, match="runtime folder"):
        render(tmp_path / "a b")


def test_config_reports_a_field_left_unfilled(tmp_path):
    template = TEMPLATE.read_text(encoding="utf-8").replace("@MAX_BODY@", "@MAX_SIZE@")
    with pytest.raises(ValueError, match="@MAX_SIZE@"):
        render_config(template, listen="127.0.0.1:8600", backends=BACKENDS,
                      runtime_dir=tmp_path)


def test_parse_listen():
    assert parse_listen("8500") == ("127.0.0.1", 8500)
    assert parse_listen("0.0.0.0:8500") == ("0.0.0.0", 8500)
    assert parse_listen("[::1]:8500") == ("::1", 8500)


def test_nginx_accepts_the_rendered_config(tmp_path):
    nginx = find_nginx()
    if nginx is None:
        pytest.skip("nginx is not installed (make nginx)")
    conf = tmp_path / "nginx.conf"
    conf.write_text(render(tmp_path), encoding="utf-8")
    out = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(conf),
                          "-e", str(tmp_path / "error.log")],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr


# ------------------------------------------------------------------ README rows
def _run(label, n, p50s, ok, phase, cpu, errors=0):
    r = RunResult(label, 2 if "nginx" in label else 1, "nginx" in label, n, 5.0, 6)
    r.latencies, r.updates_ok, r.phase_s, r.cpu_s, r.errors = p50s, ok, phase, cpu, errors
    r.rss_before_mb, r.rss_sessions_mb, r.rss_peak_mb = 400.0, 450.0, 470.0
    return r


def test_table_rows_judge_p95_at_50_sessions_and_saturation():
    ours = _run("2 processes behind nginx", 50, [0.2] * 19 + [0.9], 20, 2.0, 1.0)
    base = _run("1 process direct", 50, [0.5] * 18 + [3.0, 4.0], 20, 4.0, 1.2)
    sat2 = _run("2 processes behind nginx", 12, [0.3] * 10, 400, 20.0, 20.0)
    sat1 = _run("1 process direct", 12, [0.6] * 10, 240, 20.0, 14.4)
    rows = table_rows([(ours, base)], (sat2, sat1), "2026-12-02")
    assert rows[0].startswith("| U1 | 50 readers on One map (county unemployment map")
    # 20 latencies: p95 at rank 18.05, between 0.2 and 0.9
    assert "2 processes behind nginx: p50 200 ms / p95 235 ms · 10.0 reruns/s · 0 errors" \
        in rows[0]
    assert rows[0].endswith("| ≤ 1 s p95 | ✔ |")
    assert "1 process direct: p50 500 ms" in rows[0]
    assert rows[1].startswith("| U2 | saturation")
    assert "2 processes behind nginx: 20.0 reruns/s, p50 300 ms, 50 ms CPU/rerun" in rows[1]
    assert rows[1].endswith("| ≥ 18.75/s (2.5 × 7.5) | ✔ (2.67× 7.5) |")
