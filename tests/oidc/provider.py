"""A real OpenID Provider for the tests: tests/oidc/provider.mjs (the certified `oidc-provider` package).

    with running_provider(tmp_path, redirect_uris=[...]) as provider:
        settings.OIDC_ISSUER = provider.issuer   # or provider.configure(settings)
        provider.accounts = {...}                # rewrite its accounts (taking one out removes that person)
        provider.sign({...})                     # an ID token signed with the provider's own key
        provider.sign_in(login, url)             # drive its sign-in page without a browser

Locally a missing node or `npm ci` skips the tests that need it; in CI (CI=true) it fails them.
"""

import contextlib
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
import time_machine

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("provider.mjs")
CLIENT_ID = "lifeline"
CLIENT_SECRET = "lifeline-test-secret"

ACCOUNTS = {
    "ana": {
        "email": "ana.lima@lifeline.example", "email_verified": True, "name": "Ana Lima", "locale": "ar-EG",
        "zoneinfo": "Africa/Cairo", "team": "Finance", "groups": ["lifeline-leaders"],
    },
    "ben": {"email": "ben.okoro@lifeline.example", "email_verified": False, "name": "Ben Okoro"},
    "cy": {"email": "cy@elsewhere.example", "email_verified": True, "name": "Cy Outsider"},
}


class Provider:
    def __init__(self, process, issuer, accounts_file):
        self.process = process
        self.issuer = issuer
        self.accounts_file = accounts_file
        self.browser = requests.Session()  # the person's browser at the provider (its cookies)

    @property
    def accounts(self):
        return json.loads(self.accounts_file.read_text())

    @accounts.setter
    def accounts(self, value):
        tmp = self.accounts_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(value))
        os.replace(tmp, self.accounts_file)

    def configure(self, settings, **overrides):
        settings.OIDC_ISSUER = self.issuer
        settings.OIDC_RP_CLIENT_ID = CLIENT_ID
        settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
        for name, value in overrides.items():
            setattr(settings, name, value)

    def sign(self, claims, *, kid=True):
        url = f"{self.issuer}/test/sign" + ("" if kid else "?kid=none")
        response = requests.post(url, data=json.dumps(claims), timeout=5)
        response.raise_for_status()
        return response.text

    def sign_in(self, authorize_url, login=None, *, back_to="http://testserver/"):
        """Follow `authorize_url` at the provider as a browser would, signing in as `login` when asked;
        returns the URL it sends the browser back to (under `back_to`)."""
        url = authorize_url
        for _ in range(10):
            if url.startswith(back_to):
                return url
            if "/interaction/" in url and login is not None:
                response = self.browser.post(url, data={"prompt": "login", "login": login, "password": "x"},
                                             allow_redirects=False, timeout=5)
                login = None
            else:
                response = self.browser.get(url, allow_redirects=False, timeout=5)
            if response.status_code not in (302, 303):
                raise AssertionError(f"the provider answered {response.status_code} at {url}: {response.text[:500]}")
            url = urljoin(url, response.headers["Location"])
        raise AssertionError("the provider never sent the browser back")


@contextlib.contextmanager
def shared_clock():
    """The portal and the provider on one clock. The suite may run as if it were another day
    (LIFELINE_TEST_NOW, tests/conftest.py), but the provider's process keeps the machine's time; ID tokens
    and cookies it dates must not look months old (or young) here, as they never would between two real
    servers. No test here depends on the date, only on the two clocks agreeing."""
    if not time_machine.escape_hatch.is_travelling():
        yield
        return
    with time_machine.travel(time_machine.escape_hatch.time.time(), tick=True):
        yield


def _missing():
    if not shutil.which("node"):
        return "node is not installed"
    if not (ROOT / "node_modules" / "oidc-provider").is_dir():
        return "oidc-provider is not installed (npm ci)"
    return None


@contextlib.contextmanager
def running_provider(directory, *, redirect_uris, accounts=ACCOUNTS):
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    accounts_file = Path(directory) / "accounts.json"
    accounts_file.write_text(json.dumps(accounts))
    log = open(Path(directory) / "provider.log", "wb")  # noqa: SIM115 (closed below)
    command = ["node", str(SCRIPT), "--accounts", str(accounts_file), "--client-id", CLIENT_ID,
               "--client-secret", CLIENT_SECRET]
    for uri in redirect_uris:
        command += ["--redirect-uri", uri]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=log)
    try:
        deadline = time.monotonic() + 20
        ready, _, _ = select.select([process.stdout], [], [], max(0.0, deadline - time.monotonic()))
        line = process.stdout.readline() if ready else b""
        if not line:
            process.kill()
            raise AssertionError(f"the OpenID provider did not start: {(Path(directory) / 'provider.log').read_text()}")
        yield Provider(process, json.loads(line)["issuer"], accounts_file)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
