"""A real OpenID Connect provider for tests, served on 127.0.0.1 from a background thread.

``oidc-provider-mock`` implements the authorization-code flow (discovery document, JWKS,
signed ID tokens, userinfo, end-session) as a Flask app. Its authorization form lists the
predefined users as one-click buttons (``button[name=sub][value=<sub>]``) beside a free "sub"
field; a sub it does not know signs in with ``{"email": sub}`` as its only claim.

    with oidc_provider(users={"viewer@city.example": {"email": "viewer@city.example"}}) as idp:
        secrets = write_secrets(tmp_path, idp, app_port)
        idp.set_user("g@partner.example", {"email": "g@partner.example", "groups": ["x"]})
        ...
        assert idp.saw("POST /oauth2/token")

The stock pages of the provider load their stylesheet from a CDN; the helper serves them with
a local base template instead, so a browser test of the whole sign-in round trip can assert
that no request left the machine.
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

METADATA_PATH = "/.well-known/openid-configuration"

# Replaces the provider's _base.html (which links Pico CSS from cdn.jsdelivr.net).
_OFFLINE_BASE = """<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>Test identity provider</title>
  <style>
    body { font-family: sans-serif; margin: 2rem auto; max-width: 40rem; }
    button { margin: .25rem; padding: .4rem .8rem; }
  </style></head>
  <main class="container">{% block content %}{{ content }}{% endblock %}</main>
</html>
"""


@dataclass
class OIDCProvider:
    """A running provider: ``url`` (``http://127.0.0.1:PORT``), ``metadata_url``, the request
    lines it served (``requests``, e.g. ``"POST /oauth2/token 200"``)."""

    url: str
    port: int
    requests: list[str] = field(default_factory=list)

    @property
    def metadata_url(self) -> str:
        return self.url + METADATA_PATH

    def set_user(self, sub: str, claims: Mapping[str, object]) -> None:
        """Add or replace the user ``sub`` with these ID-token claims (the provider's own
        ``PUT /users/<sub>``). Such users are not buttons on the form: type the sub."""
        body = json.dumps(dict(claims)).encode()
        req = urllib.request.Request(f"{self.url}/users/{urllib.request.quote(sub, safe='')}",
                                     data=body, method="PUT",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=5) as resp:
            if resp.status != 204:
                raise RuntimeError(f"PUT /users/{sub} answered {resp.status}")

    def saw(self, request_line_start: str) -> bool:
        """Whether the provider served a request whose line starts so (``"POST /oauth2/token"``)."""
        return any(line.startswith(request_line_start) for line in list(self.requests))


def _offline_app(users: Mapping[str, Mapping[str, object]]):
    import jinja2
    import oidc_provider_mock

    app = oidc_provider_mock.app(
        user_claims=[oidc_provider_mock.User(sub=sub, claims=dict(claims))
                     for sub, claims in users.items()],
        require_nonce=False,
    )
    app.jinja_env.loader = jinja2.ChoiceLoader(
        [jinja2.DictLoader({"_base.html": _OFFLINE_BASE}), app.jinja_env.loader])
    return app


@contextmanager
def oidc_provider(users: Mapping[str, Mapping[str, object]] | None = None
                  ) -> Iterator[OIDCProvider]:
    """Start the provider on a free port of 127.0.0.1; ``users`` maps sub → claims (shown as
    buttons on the authorization form). Stopped when the block ends."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    provider_box: list[OIDCProvider] = []

    class _Recording(WSGIRequestHandler):
        # Keeps the request lines for assertions instead of printing them.
        def log_request(self, code="-", size="-"):
            if provider_box:
                provider_box[0].requests.append(f"{self.command} {self.path} {code}")

    server = make_server("127.0.0.1", 0, _offline_app(users or {}), threaded=True,
                         request_handler=_Recording)
    provider = OIDCProvider(url=f"http://127.0.0.1:{server.server_port}", port=server.server_port)
    provider_box.append(provider)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              name="oidc-provider", daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def unreachable_url() -> str:
    """``http://127.0.0.1:PORT`` of a port that was free a moment ago and has nobody listening."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def write_secrets(folder: str | Path, provider: OIDCProvider | str, app_port: int | None, *,
                  cookie_secret: str | None = None, client_id: str = "fiscalmap",
                  client_secret: str | None = None) -> Path:
    """Write ``<folder>/secrets.toml`` with an ``[auth]`` section for ``provider`` (an
    OIDCProvider, its base URL or its metadata URL) and return its path.

    ``app_port`` None writes ``{port}`` in redirect_uri, which Streamlit fills in with its own
    ``server.port``; the app must be opened at ``http://127.0.0.1:<port>`` (the sign-in cookie
    is bound to the redirect URI's origin).
    """
    if isinstance(provider, OIDCProvider):
        metadata_url = provider.metadata_url
    else:
        base = str(provider).rstrip("/")
        metadata_url = base if base.endswith(METADATA_PATH) else base + METADATA_PATH
    port = "{port}" if app_port is None else str(int(app_port))
    values = {
        "redirect_uri": f"http://127.0.0.1:{port}/oauth2callback",
        "cookie_secret": cookie_secret or secrets.token_hex(32),
        "client_id": client_id,
        "client_secret": client_secret or secrets.token_urlsafe(24),
        "server_metadata_url": metadata_url,
    }
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secrets.toml"
    # json.dumps of a str is a valid TOML basic string.
    path.write_text("[auth]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items()),
                    encoding="utf-8")
    return path
