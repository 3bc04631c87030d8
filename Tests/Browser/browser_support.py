"""What the browser tests share: the running registry, tokens, QCOW2 files,
API calls that prepare data, and the dashboard steps a person takes."""

import functools
import hashlib
import re
import subprocess
import threading
import uuid
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import requests
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

import registry_token

WAIT = 15
UUID_PATH = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
USER_SCOPES = ["image:read", "image:write", "namespace:read", "namespace:write"]


@dataclass(frozen=True)
class Registry:
    ingest: str
    projector: str
    secret: str

    def token(self, user, scopes=USER_SCOPES):
        return registry_token.token(self.secret, user, scopes)

    def ui(self, path=""):
        return f"{self.projector}/ui{path}"


def unique(prefix):
    """A name no other test or run uses: letters and digits only, which
    both namespace paths and image names accept."""
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def qcow2(path, compat="1.1", size="64M"):
    """A QCOW2 file made by qemu-img (compat 1.1 is version 3, 0.10 is
    version 2); returns its sha256 hex digest."""
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-o", f"compat={compat}", str(path), size], check=True)
    digest = subprocess.run(["sha256sum", str(path)], check=True, capture_output=True, text=True).stdout.split()[0]
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest()
    return digest


def api_upload(registry, user, path, name, namespace=None):
    """Uploads a file through the API and returns the projected image."""
    params = {"name": name, "wait": "true"}
    if namespace:
        params["namespace"] = namespace
    answer = requests.post(f"{registry.ingest}/v1/images", params=params, data=path.read_bytes(), timeout=60,
                           headers={"Authorization": f"Bearer {registry.token(user)}",
                                    "Content-Type": "application/x-qemu-disk"})
    assert answer.status_code == 201, answer.text
    return answer.json()


def api_namespace(registry, user, path, visibility="private"):
    answer = requests.post(f"{registry.ingest}/v1/namespaces", params={"wait": "true"}, timeout=30,
                           json={"path": path, "visibility": visibility},
                           headers={"Authorization": f"Bearer {registry.token(user)}"})
    assert answer.status_code in (200, 201, 202), answer.text


class FileServer:
    """Python's http.server over one folder on 127.0.0.1, on a free port,
    in a thread; stop() shuts it down."""

    def __init__(self, directory):
        handler = functools.partial(_QuietHandler, directory=str(directory))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name):
        return f"http://127.0.0.1:{self.server.server_address[1]}/{name}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *arguments):
        pass


# --- In the browser -------------------------------------------------------

def wait(driver, seconds=WAIT):
    # A page's JS may replace an element between finding it and reading it.
    return WebDriverWait(driver, seconds, ignored_exceptions=[NoSuchElementException, StaleElementReferenceException])


def visible(driver, css, seconds=WAIT):
    return wait(driver, seconds).until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)))


def present(driver, css, seconds=WAIT):
    return wait(driver, seconds).until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))


def path_of(driver):
    return requests.utils.urlparse(driver.current_url).path


def wait_for_path(driver, pattern, seconds=WAIT):
    """Waits until the page's path matches `pattern` (a full match) and returns the match."""
    wait(driver, seconds).until(lambda d: re.fullmatch(pattern, path_of(d)),
                                message=f"the browser never reached a path matching {pattern}")
    return re.fullmatch(pattern, path_of(driver))


def fill(driver, css, text):
    field = visible(driver, css)
    field.clear()
    field.send_keys(text)
    return field


def click(driver, css):
    wait(driver, WAIT).until(EC.element_to_be_clickable((By.CSS_SELECTOR, css))).click()


def dev_sign_in(driver, registry, username):
    """Signs in through the sign-in page's development form and waits for
    the images page with `username` in the header."""
    driver.get(registry.ui("/sign-in"))
    visible(driver, "#sign-in-form")
    fill(driver, "#dev-sign-in-form #dev-username", username)
    click(driver, "#dev-sign-in")
    wait_for_path(driver, "/ui/images")
    wait(driver).until(lambda d: d.find_element(By.ID, "viewer").text.strip() == username,
                       message=f"#viewer never said {username}")


def gone(element):
    """A wait condition: `element` has left the document (its page was left).
    chromedriver sometimes reports that, while the next page loads, as an
    inspector error ("Node with given id does not belong to the document")
    rather than a stale element; both mean the same here."""
    def check(_driver):
        try:
            element.is_enabled()
            return False
        except (StaleElementReferenceException, WebDriverException):
            return True
    return check


def sign_out(driver):
    """Signs out with the header's button; where it leads is not part of
    the contract, only that the session cookie is gone."""
    button = visible(driver, "#sign-out")
    button.click()
    wait(driver).until(gone(button), message="signing out did not leave the page")
    wait(driver).until(lambda d: d.get_cookie("registry_session") is None,
                       message="the registry_session cookie outlived signing out")


def session_cookie(driver):
    cookie = driver.get_cookie("registry_session")
    assert cookie is not None, "no registry_session cookie after signing in"
    return cookie


def create_namespace(driver, path, visibility="private"):
    """Creates a namespace through the namespaces page's form; waits for
    the namespace page the browser lands on."""
    click(driver, "#nav-namespaces")
    wait_for_path(driver, "/ui/namespaces")
    fill(driver, "#create-namespace #namespace-path", path)
    Select(visible(driver, "#create-namespace #namespace-visibility")).select_by_value(visibility)
    click(driver, "#create-namespace-submit")
    wait_for_path(driver, r"/ui/namespaces/[^/]+/" + re.escape(path))
    visible(driver, "#namespace-title")


def open_create_form(driver):
    click(driver, "#create-link")
    wait_for_path(driver, "/ui/images/new")
    visible(driver, "#create-image")


def upload_through_form(driver, path, name, namespace=""):
    """Fills the create form with a file and submits it (the page's JS uploads it)."""
    open_create_form(driver)
    fill(driver, "#image-name", name)
    fill(driver, "#image-namespace", namespace)
    # A file input takes the file's path as typed keys; looked up as
    # present, not visible, since styled pages often hide the input itself.
    present(driver, "#image-file").send_keys(str(path.resolve()))
    click(driver, "#create")


def uploaded_image_id(driver, seconds=30):
    """Waits for the image page an accepted upload leads to; returns the image's id."""
    match = wait_for_path(driver, rf"/ui/images/({UUID_PATH})", seconds)
    visible(driver, "#image-title")
    return match.group(1)
