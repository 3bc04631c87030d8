"""The dashboard's images page against the JSON API it is drawn from: GET
/ui/images (HTML, with a signed-in session cookie) and GET /v1/images
(JSON, bearer token) requests/s for the same viewer and the same page of
50 images, over the BENCH_IMAGES images the seed registered through ingest
(user bench's own, which both list), in the same run."""

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import requests

from .infra import psql
from .load import wrk

PAGE_SIZE = 50
STATUS_SCRIPT = Path(__file__).resolve().parent / "lua" / "status.lua"
# What a person signed in with a user's token may do (the dashboard calls
# the API with it); the same token is the JSON baseline's.
SCOPES = ["image:read", "image:write", "namespace:read", "namespace:write"]


class _Forms(HTMLParser):
    """Every form's id, action, method and fields, from a page's HTML."""

    def __init__(self):
        super().__init__()
        self.forms, self._current = {}, None

    def handle_starttag(self, tag, attributes):
        attributes = dict(attributes)
        if tag == "form":
            self._current = {"action": attributes.get("action") or "", "method": attributes.get("method") or "get",
                             "fields": {}}
            self.forms[attributes.get("id") or f"form{len(self.forms)}"] = self._current
        elif self._current is not None and tag in ("input", "textarea", "button") and attributes.get("name"):
            self._current["fields"].setdefault(attributes["name"], attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


class _ImageRows(HTMLParser):
    """The data-id of every tr.image row of a page."""

    def __init__(self):
        super().__init__()
        self.ids = []

    def handle_starttag(self, tag, attributes):
        attributes = dict(attributes)
        if tag == "tr" and "image" in (attributes.get("class") or "").split():
            self.ids.append(attributes.get("data-id"))


def sign_in(s, token):
    """Signs in through /ui/sign-in's token form, as a browser would (its
    hidden fields, the CSRF one among them, and its cookies sent back);
    returns the registry_session cookie's value."""
    session = requests.Session()
    page = session.get(f"{s.projector}/ui/sign-in", timeout=30)
    page.raise_for_status()
    parser = _Forms()
    parser.feed(page.text)
    form = parser.forms.get("sign-in-form")
    if form is None:
        raise RuntimeError("/ui/sign-in has no #sign-in-form")
    fields = dict(form["fields"], token=token)
    answer = session.post(urljoin(page.url, form["action"] or page.url), data=fields, allow_redirects=False,
                          timeout=30)
    cookie = answer.cookies.get("registry_session") or session.cookies.get("registry_session")
    if answer.status_code != 303 or not cookie:
        raise RuntimeError(f"signing in answered {answer.status_code} without a registry_session cookie: "
                           f"{answer.text[:300]}")
    return cookie


def measure(s, results):
    # The seeded rows' statistics, as autovacuum would have gathered them on a
    # running registry (the lookup and GC measurements do the same).
    psql(s, "bench", "ANALYZE images;")
    token = s.token("bench", SCOPES)
    cookie = f"registry_session={sign_in(s, token)}"
    ui_url = f"{s.projector}/ui/images"
    # The images page lists each image's newest version, as newest=true does.
    api_url = f"{s.projector}/v1/images?limit={PAGE_SIZE}&newest=true"

    # Both show the same page before anything is timed: 50 of bench's images.
    page = requests.get(ui_url, headers={"Cookie": cookie}, allow_redirects=False, timeout=30)
    if page.status_code != 200 or "text/html" not in page.headers.get("Content-Type", ""):
        raise RuntimeError(f"GET /ui/images answered {page.status_code} {page.headers.get('Content-Type')}")
    rows = _ImageRows()
    rows.feed(page.text)
    ui_rows = rows.ids
    listing = requests.get(api_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    listing.raise_for_status()
    # The API writes ids in upper case, the dashboard in lower case.
    api_ids = [item["id"].lower() for item in listing.json()["items"]]
    if len(api_ids) != PAGE_SIZE or len(ui_rows) != PAGE_SIZE:
        raise RuntimeError(f"not the same page size: /ui/images shows {len(ui_rows)} tr.image rows, "
                           f"/v1/images?limit={PAGE_SIZE} {len(api_ids)} items")
    if ui_rows != api_ids:
        raise RuntimeError(f"/ui/images does not show the page /v1/images?limit={PAGE_SIZE} lists, in its order")

    # A short warm-up of each, then the timed runs; every answer must be a
    # 200 (lua/status.lua counts the others: a 303 to the sign-in page would
    # pass wrk's own error count).
    script = (STATUS_SCRIPT, [])
    wrk(s, api_url, headers=[f"Authorization: Bearer {token}"], script=script, seconds=2)
    wrk(s, ui_url, headers=[f"Cookie: {cookie}"], script=script, seconds=2)
    api = wrk(s, api_url, headers=[f"Authorization: Bearer {token}"], script=script)
    ui = wrk(s, ui_url, headers=[f"Cookie: {cookie}"], script=script)
    for label, run in (("GET /v1/images", api), ("GET /ui/images", ui)):
        if run.get("non_200", 0):
            raise RuntimeError(f"{label}: {run['non_200']} answers were not 200")
    results["figures"]["dashboard"] = {
        "page_size": PAGE_SIZE, "images": s.images, "ui_images": ui, "api_images": api,
        "ui_page_bytes": len(page.content), "api_page_bytes": len(listing.content)}
    results["ratios"]["dashboard_vs_json_api"] = ui["requests_per_second"] / api["requests_per_second"]
