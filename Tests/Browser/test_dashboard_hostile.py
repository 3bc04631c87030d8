"""The dashboard as an attacker tries it, against the real services: forms
from another site, forged and garbled sessions, sign-in redirects to other
sites, markup in what users write, and oversized forms. Each refusal is
checked to have stored and recorded nothing."""

import re

import jwt_free_token
import requests
from selenium.webdriver.common.by import By

import browser_support as ui


def signed_in(registry, username):
    """A requests session signed in through the development form, and the
    session's CSRF token as its pages carry it."""
    session = requests.Session()
    page = session.get(registry.ui("/sign-in"), timeout=10)
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
    answer = session.post(registry.ui("/dev-sign-in"), data={"csrf": csrf, "username": username},
                          allow_redirects=False, timeout=10)
    assert answer.status_code == 303, answer.text
    forms = session.get(registry.ui("/namespaces"), timeout=10)
    return session, re.search(r'name="csrf" value="([0-9a-f]{64})"', forms.text).group(1), answer


def api_get(registry, user, path):
    return requests.get(f"{registry.projector}{path}", timeout=10,
                        headers={"Authorization": f"Bearer {registry.token(user)}"})


def test_the_session_cookie_is_http_only_same_site_strict_and_scoped_to_the_dashboard(registry):
    _, _, answer = signed_in(registry, "mallory")
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith("registry_session=")
    for attribute in ("HttpOnly", "SameSite=Strict", "Path=/ui"):
        assert attribute in cookie, cookie
    assert answer.headers["Location"] == "/ui/images"


def test_a_form_without_the_sessions_csrf_token_is_refused_and_changes_nothing(registry):
    session, csrf, _ = signed_in(registry, "alice")
    for path, token in ((ui.unique("forged"), None), (ui.unique("forged"), "0" * 64), (ui.unique("forged"), csrf[:-1])):
        data = {"path": path, "visibility": "public"}
        if token is not None:
            data["csrf"] = token
        refused = session.post(registry.ui("/namespaces"), data=data, allow_redirects=False, timeout=10)
        assert refused.status_code == 403, refused.text
        assert api_get(registry, "alice", f"/v1/namespaces/alice/{path}").status_code == 404
    # Another user's CSRF token does not work in this session either.
    _, other, _ = signed_in(registry, "bob")
    path = ui.unique("forged")
    refused = session.post(registry.ui("/namespaces"), data={"path": path, "csrf": other}, allow_redirects=False,
                           timeout=10)
    assert refused.status_code == 403
    # The same form with the right token goes through.
    path = ui.unique("real")
    created = session.post(registry.ui("/namespaces"), data={"path": path, "csrf": csrf}, allow_redirects=False,
                           timeout=10)
    assert created.status_code == 303 and created.headers["Location"] == f"/ui/namespaces/alice/{path}"
    assert api_get(registry, "alice", f"/v1/namespaces/alice/{path}").status_code == 200


def test_an_upload_without_the_csrf_header_is_refused_before_a_byte_is_stored(registry, tmp_path):
    session, csrf, _ = signed_in(registry, "alice")
    disk = tmp_path / "disk.qcow2"
    ui.qcow2(disk)
    name = ui.unique("forgedupload")
    for headers in ({}, {"X-CSRF-Token": "f" * 64}):
        refused = session.post(registry.ui("/images/upload"), params={"name": name}, data=disk.read_bytes(),
                               headers=headers, timeout=30)
        assert refused.status_code == 403, refused.text
    listed = api_get(registry, "alice", f"/v1/images?search={name}")
    assert listed.status_code == 200, listed.text
    assert listed.json()["items"] == []
    accepted = session.post(registry.ui("/images/upload"), params={"name": name}, data=disk.read_bytes(),
                            headers={"X-CSRF-Token": csrf}, timeout=30)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["name"] == name


def test_forged_garbled_and_missing_sessions_sign_in_again(registry):
    for cookie in ("", "not-a-token", jwt_free_token.forged("alice"), jwt_free_token.expired(registry.secret, "alice")):
        answer = requests.get(registry.ui("/images"), cookies={"registry_session": cookie}, allow_redirects=False,
                              timeout=10)
        assert answer.status_code == 303, cookie
        assert answer.headers["Location"].startswith("/ui/sign-in"), answer.headers["Location"]
    # A forged token is not accepted by the sign-in form either.
    session = requests.Session()
    page = session.get(registry.ui("/sign-in"), timeout=10)
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
    refused = session.post(registry.ui("/sign-in"), data={"csrf": csrf, "token": jwt_free_token.forged("root")},
                           allow_redirects=False, timeout=10)
    assert refused.status_code == 401
    assert "registry_session" not in refused.headers.get("Set-Cookie", "")
    # Nor a sign-in form posted without its own CSRF value (login CSRF).
    fresh = requests.post(registry.ui("/sign-in"), data={"token": registry.token("alice")}, allow_redirects=False,
                          timeout=10)
    assert fresh.status_code == 403
    assert "registry_session" not in fresh.headers.get("Set-Cookie", "")


def test_signing_in_never_sends_the_browser_to_another_site(registry):
    for target in ("https://evil.example/ui/", "//evil.example/ui/images", "/ui/\\evil.example", "/v1/images"):
        session = requests.Session()
        page = session.get(registry.ui("/sign-in"), params={"next": target}, timeout=10)
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
        answer = session.post(registry.ui("/dev-sign-in"), data={"csrf": csrf, "username": "alice", "next": target},
                              allow_redirects=False, timeout=10)
        assert answer.status_code == 303
        assert answer.headers["Location"] == "/ui/images", target


def test_markup_in_a_description_is_shown_as_text(registry, browser):
    path = ui.unique("markup")
    hostile = '<img src=x onerror="document.title=\'owned\'"><script>document.title="owned"</script>'
    ui.api_namespace(registry, "alice", path)
    described = requests.patch(f"{registry.ingest}/v1/namespaces/alice/{path}", params={"wait": "true"}, timeout=30,
                               json={"description": hostile},
                               headers={"Authorization": f"Bearer {registry.token('alice')}"})
    assert described.status_code == 200, described.text
    ui.dev_sign_in(browser, registry, "alice")
    browser.get(registry.ui(f"/namespaces/alice/{path}"))
    ui.visible(browser, "#namespace-title")
    main = browser.find_element(By.TAG_NAME, "main")
    assert hostile in main.text
    assert main.find_elements(By.CSS_SELECTOR, "img, script") == []
    assert browser.title != "owned"


def test_an_oversized_form_is_refused_and_the_dashboard_keeps_serving(registry):
    session, csrf, _ = signed_in(registry, "alice")
    answer = session.post(registry.ui("/namespaces"), data={"csrf": csrf, "path": "x" * (128 << 10)},
                          allow_redirects=False, timeout=30)
    assert answer.status_code == 413, answer.status_code
    assert session.get(registry.ui("/images"), timeout=10).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in_and_unknown_actions_are_not_found(registry):
    for path in ("/images", "/namespaces", "/audit", "/resolve", "/invites", "/images/new"):
        answer = requests.get(registry.ui(path), allow_redirects=False, timeout=10)
        assert answer.status_code == 303 and answer.headers["Location"].startswith("/ui/sign-in"), path
    session, csrf, _ = signed_in(registry, "alice")
    answer = session.post(registry.ui("/images/00000000-0000-0000-0000-000000000000/explode"),
                          data={"csrf": csrf}, allow_redirects=False, timeout=10)
    assert answer.status_code == 404
    answer = session.get(registry.ui("/images/not-a-uuid"), timeout=10)
    assert answer.status_code == 404 and 'id="not-found"' in answer.text


def test_a_plain_form_upload_without_the_csrf_token_stores_nothing_and_a_garbled_form_is_400(registry, tmp_path):
    session, csrf, _ = signed_in(registry, "alice")
    disk = tmp_path / "plain.qcow2"
    ui.qcow2(disk)
    name = ui.unique("forgedplain")
    for token in (None, "0" * 64):
        data = {"name": name} if token is None else {"csrf": token, "name": name}
        refused = session.post(registry.ui("/images"), data=data, files={"file": ("disk.qcow2", disk.read_bytes())},
                               allow_redirects=False, timeout=30)
        assert refused.status_code == 403, refused.text
    # The token must come before the file: one sent after it is too late.
    late = session.post(registry.ui("/images"), files=[("name", (None, name)), ("file", ("d.qcow2", disk.read_bytes())),
                                                       ("csrf", (None, csrf))], allow_redirects=False, timeout=30)
    assert late.status_code == 403
    listed = api_get(registry, "alice", f"/v1/images?search={name}")
    assert listed.status_code == 200 and listed.json()["items"] == [], listed.text
    garbled = session.post(registry.ui("/images"), data=b"--x\r\nno headers end", allow_redirects=False, timeout=10,
                           headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert garbled.status_code == 400, garbled.text
    not_multipart = session.post(registry.ui("/images"), data={"csrf": csrf, "name": name}, allow_redirects=False,
                                 timeout=10)
    assert not_multipart.status_code == 400
    accepted = session.post(registry.ui("/images"), data={"csrf": csrf, "name": name},
                            files={"file": ("disk.qcow2", disk.read_bytes())}, allow_redirects=False, timeout=30)
    assert accepted.status_code == 303 and re.match(rf"/ui/images/{ui.UUID_PATH}$", accepted.headers["Location"])


def test_a_large_upload_refused_before_its_end_leaves_the_dashboard_serving(registry, tmp_path):
    """Ingest refuses a bad name before reading the body; the projector must
    stop relaying it and go on serving (it once had two readers of one body)."""
    session, csrf, _ = signed_in(registry, "alice")
    body = b"\0" * (64 << 20)
    for _ in range(3):
        raw = session.post(registry.ui("/images/upload"), params={"name": "Bad Name!"}, data=body,
                           headers={"X-CSRF-Token": csrf}, timeout=120)
        assert raw.status_code == 400, raw.text
        plain = session.post(registry.ui("/images"), data={"csrf": csrf, "name": "Bad Name!"},
                             files={"file": ("big.qcow2", body)}, allow_redirects=False, timeout=120)
        assert plain.status_code == 400, plain.text
        assert "name" in plain.text
    assert session.get(registry.ui("/images"), timeout=10).status_code == 200
    assert requests.get(f"{registry.projector}/readyz", timeout=10).status_code == 200
