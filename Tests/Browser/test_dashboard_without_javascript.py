"""The dashboard in a browser with JavaScript turned off: every page and
form works, a file is uploaded as a plain multipart form (no progress bar),
and an import's page shows its status when reloaded."""

import re

from selenium.webdriver.common.by import By

import browser_support as ui


def test_without_javascript_a_file_uploads_as_a_plain_form_and_a_refusal_is_shown(registry, plain_browser, tmp_path):
    driver = plain_browser
    ui.dev_sign_in(driver, registry, "nojs")
    disk = tmp_path / "plain.qcow2"
    digest = ui.qcow2(disk)
    name = ui.unique("plain")
    ui.upload_through_form(driver, disk, name, ui.unique("plainns"))
    image_id = ui.uploaded_image_id(driver, seconds=60)
    assert driver.find_element(By.ID, "image-digest").text.strip() == digest
    # The page's script marks the document when it runs; here it never did.
    assert "js" not in (driver.find_element(By.TAG_NAME, "html").get_attribute("class") or "")

    old = tmp_path / "old.qcow2"
    ui.qcow2(old, compat="0.10")
    ui.upload_through_form(driver, old, ui.unique("plainold"))
    error = ui.visible(driver, "#create-error")
    assert "version 2" in error.text
    assert image_id


def test_without_javascript_an_import_shows_its_status_on_reload(registry, plain_browser, tmp_path):
    driver = plain_browser
    served = tmp_path / "served"
    served.mkdir()
    ui.qcow2(served / "disk.qcow2")
    files = ui.FileServer(served)
    try:
        ui.dev_sign_in(driver, registry, "nojs")
        ui.open_create_form(driver)
        ui.fill(driver, "#image-name", ui.unique("plainimport"))
        ui.fill(driver, "#download-url", files.url("disk.qcow2"))
        ui.click(driver, "#create")
        ui.wait_for_path(driver, rf"/ui/imports/{ui.UUID_PATH}")
        for _ in range(60):
            status = driver.find_element(By.ID, "import-status").text.strip()
            if status in ("done", "failed"):
                break
            driver.refresh()
        assert status == "done"
        link = driver.find_element(By.ID, "import-image").get_attribute("href")
        assert re.search(rf"/ui/images/{ui.UUID_PATH}$", link)
    finally:
        files.stop()
