"""The web dashboard (`/ui` on the projector) in a real headless Chromium
against the real services, PostgreSQL and broker: what a person does with
it, through its forms (never hand-made POSTs, which its CSRF check refuses).

Run by scripts/test after Tests/Cluster; alone: `python3 -m pytest -q
Tests/Browser` (conftest.py says what it starts).
"""

import re
import time

import requests
from selenium.webdriver.common.by import By

from browser_support import (
    FileServer, api_namespace, api_upload, click, dev_sign_in, fill, gone, open_create_form, path_of, present, qcow2,
    session_cookie, sign_out, unique, uploaded_image_id, upload_through_form, visible, wait, wait_for_path,
    create_namespace, UUID_PATH,
)


def rows(driver, css):
    return driver.find_elements(By.CSS_SELECTOR, css)


def cell(row, css):
    return row.find_element(By.CSS_SELECTOR, css)


def test_upload_through_the_create_form_lists_the_image_with_its_digest(registry, browser, tmp_path):
    image = tmp_path / "v3.qcow2"
    digest = qcow2(image)
    name, namespace = unique("uploaded-"), unique("browsera")
    dev_sign_in(browser, registry, "alice")
    upload_through_form(browser, image, name, namespace)
    image_id = uploaded_image_id(browser)
    assert visible(browser, "#image-digest").text.strip() == digest

    click(browser, "#nav-images")
    wait_for_path(browser, "/ui/images")
    fill(browser, "#image-filter input[name=search]", name)
    click(browser, "#image-filter [type=submit]")
    wait(browser).until(lambda d: "search=" in d.current_url, message="the filter form did not submit")
    row = visible(browser, f"#images tr.image[data-id='{image_id}']")
    assert cell(row, ".name").text.strip() == name
    assert cell(row, ".name a").get_attribute("href").endswith(f"/ui/images/{image_id}")
    assert namespace in cell(row, ".namespace").text
    digest_cell = cell(row, ".digest")
    assert digest_cell.text.strip() == digest[:12]
    assert digest_cell.get_attribute("data-digest") == digest


def test_a_qcow2_version_2_file_is_refused_with_the_registry_message(registry, browser, tmp_path):
    image = tmp_path / "v2.qcow2"
    qcow2(image, compat="0.10")
    dev_sign_in(browser, registry, "alice")
    upload_through_form(browser, image, unique("old-"), unique("browserb"))
    error = visible(browser, "#create-error", seconds=30)
    wait(browser).until(lambda d: "version 2" in error.text, message=f"#create-error says {error.text!r}")
    assert path_of(browser) == "/ui/images/new"


def test_an_invited_collaborator_accepts_and_is_listed(registry, browser):
    path = unique("team")
    dev_sign_in(browser, registry, "alice")
    create_namespace(browser, path, "private")
    assert visible(browser, "#namespace-title").text.strip() == f"{path}@alice"
    namespace_page = browser.current_url
    fill(browser, "#invite-form #invite-username", "bob")
    click(browser, "#invite-submit")
    wait(browser).until(lambda d: any("bob" in row.text for row in rows(d, "#invites tr.invite")),
                        message="no invite of bob in #invites")
    sign_out(browser)

    dev_sign_in(browser, registry, "bob")
    click(browser, "#nav-invites")
    wait_for_path(browser, "/ui/invites")
    invite = wait(browser).until(
        lambda d: next((row for row in rows(d, "#my-invites tr.invite") if path in row.text), None),
        message=f"no invite to {path} in #my-invites")
    invite.find_element(By.CSS_SELECTOR, "button.accept").click()
    # Accepting posts the row's form: wait for the page it leads to.
    wait(browser).until(gone(invite), message="accepting did not leave the invites page")
    # A collaborator sees the private namespace...
    browser.get(namespace_page)
    assert visible(browser, "#namespace-title").text.strip() == f"{path}@alice"
    # ...but the API shows a namespace's collaborators only to those who
    # may manage them (NamespaceResource.collaborators): alice, not bob.
    sign_out(browser)
    dev_sign_in(browser, registry, "alice")
    browser.get(namespace_page)
    collaborators = []
    for _ in range(20):
        collaborators = [item.text.strip() for item in
                         present(browser, "#collaborators").find_elements(By.TAG_NAME, "li")]
        if "bob" in collaborators:
            break
        time.sleep(0.5)
        browser.refresh()
    assert "bob" in collaborators, f"#collaborators lists {collaborators}"


def test_an_import_from_a_loopback_url_is_followed_until_done(registry, browser, tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    digest = qcow2(served / "imported.qcow2")
    server = FileServer(served)
    try:
        name = unique("imported-")
        dev_sign_in(browser, registry, "alice")
        open_create_form(browser)
        fill(browser, "#image-name", name)
        fill(browser, "#image-namespace", unique("browserd"))
        fill(browser, "#download-url", server.url("imported.qcow2"))
        click(browser, "#create")
        wait_for_path(browser, rf"/ui/imports/{UUID_PATH}")

        def status():
            return visible(browser, "#import-status").text.strip()
        assert status() in ("queued", "downloading", "verifying", "done"), status()
        # The page's own JS moves the status on: no reload (a reload would
        # drop this marker).
        browser.execute_script("window.browserTestMarker = true")
        wait(browser, 45).until(lambda d: status() in ("done", "failed"), message="#import-status never became done or failed")
        assert status() == "done", [error.text for error in rows(browser, "#import-error")]
        assert browser.execute_script("return window.browserTestMarker === true"), "the import page reloaded"
        click(browser, "#import-image")
        uploaded_image_id(browser)
        assert visible(browser, "#image-digest").text.strip() == digest
    finally:
        server.stop()


def test_a_recorded_resolution_is_found_on_the_audit_page_by_build(registry, browser, tmp_path):
    image = tmp_path / "resolved.qcow2"
    qcow2(image)
    name = unique("resolved-")
    api_upload(registry, "alice", image, name)
    answer = requests.post(f"{registry.ingest}/v1/resolutions", params={"wait": "true"}, timeout=30,
                           json={"build_id": "b-browser-1", "user": "alice", "driver": "qemu", "image": name},
                           headers={"Authorization": f"Bearer {registry.token('scheduler', ['image:resolve'])}"})
    assert answer.status_code in (200, 201, 202), answer.text

    dev_sign_in(browser, registry, "alice")
    click(browser, "#nav-audit")
    wait_for_path(browser, "/ui/audit")
    fill(browser, "#audit-filter input[name=build]", "b-browser-1")
    click(browser, "#audit-filter [type=submit]")
    wait(browser).until(lambda d: "build=b-browser-1" in d.current_url, message="the filter form did not submit")
    events = wait(browser).until(lambda d: rows(d, "#audit tr.event"), message="no tr.event in #audit")
    assert all("b-browser-1" in cell(event, ".details").text for event in events), \
        [cell(event, ".details").text for event in events]
    assert any("resolved" in cell(event, ".type").text for event in events), \
        [cell(event, ".type").text for event in events]


def test_a_private_image_is_not_found_for_another_user(registry, browser, tmp_path):
    image = tmp_path / "private.qcow2"
    qcow2(image)
    path = unique("private")
    dev_sign_in(browser, registry, "alice")
    create_namespace(browser, path, "private")
    upload_through_form(browser, image, unique("secret-"), path)
    image_page = registry.ui(f"/images/{uploaded_image_id(browser)}")
    sign_out(browser)

    dev_sign_in(browser, registry, "carol")
    cookie = session_cookie(browser)
    answer = requests.get(image_page, cookies={"registry_session": cookie["value"]}, allow_redirects=False,
                          timeout=30)
    assert answer.status_code == 404, (answer.status_code, answer.headers.get("Location"))
    assert re.search(r"""id=["']?not-found\b""", answer.text), answer.text[:500]
    browser.get(image_page)
    visible(browser, "#not-found")


def test_the_resolve_form_names_the_image_and_the_rule(registry, browser, tmp_path):
    image = tmp_path / "resolve.qcow2"
    qcow2(image)
    path, name = unique("resolvens"), unique("resolvable-")
    api_namespace(registry, "alice", path)
    created = api_upload(registry, "alice", image, name, namespace=path)

    dev_sign_in(browser, registry, "alice")
    click(browser, "#nav-resolve")
    wait_for_path(browser, "/ui/resolve")
    fill(browser, "#resolve-form input[name=user]", "alice")
    fill(browser, "#resolve-form input[name=namespace]", f"{path}@alice")
    fill(browser, "#resolve-form input[name=image]", name)
    click(browser, "#resolve-form [type=submit]")
    resolution = visible(browser, "#resolution")
    # The API writes ids in upper case, the dashboard in lower case.
    assert cell(resolution, ".image-id").text.strip() == created["id"].lower()
    assert cell(resolution, ".rule").text.strip() != ""
    assert re.search(r"\S", cell(resolution, ".location").text)


def test_an_image_page_lists_every_version_deleted_ones_too_and_deprecation_shows(registry, browser, tmp_path):
    name, namespace = unique("versions"), unique("versionsns")
    api_namespace(registry, "alice", namespace)
    first, second = tmp_path / "one.qcow2", tmp_path / "two.qcow2"
    qcow2(first)
    qcow2(second, size="96M")
    older = api_upload(registry, "alice", first, name, namespace)
    newer = api_upload(registry, "alice", second, name, namespace)
    dev_sign_in(browser, registry, "alice")
    browser.get(registry.ui(f"/images/{older['id'].lower()}"))
    visible(browser, "#delete-image")
    click(browser, "#delete-image input[name=force]")
    click(browser, "#delete-image button[type=submit]")
    wait(browser).until(lambda d: "deleted" in d.find_element(By.ID, "image-title").text,
                        message="the deleted version's page does not say so")
    browser.get(registry.ui(f"/images/{newer['id'].lower()}"))
    fill(browser, "#deprecate-image input[name=reason]", "use the next one")
    click(browser, "#deprecate-image button[type=submit]")
    wait(browser).until(lambda d: "deprecated" in d.find_element(By.ID, "image-title").text)
    states = {cell(row, ".version").text.strip(): cell(row, ".status").text.strip() for row in rows(browser, "tr.version")}
    assert states == {"v2": "live · deprecated", "v1": "deleted"}, states
