"""scripts/lib/walkthrough.py turns README.md's walk-through into a checked
script; these tests catch a README change the checks no longer fit, before
any service starts."""

import hashlib
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "lib"))
import walkthrough  # noqa: E402

README = (ROOT / "README.md").read_text()


def test_the_readme_walk_through_matches_the_checked_steps():
    script = walkthrough.script(README, "/bin dir", "http://127.0.0.1:18600")
    assert "127.0.0.1:8080" not in script and "127.0.0.1:8081" not in script
    assert ".build/debug/imagectl" not in script and "'/bin dir/imagectl' dev token --user alice" in script
    assert "export IMAGE_REGISTRY_JWT_SECRET" not in script
    assert script.count("curl -s ") == len(walkthrough.STEPS)


def test_a_request_the_steps_do_not_expect_is_refused():
    changed = README.replace("/v1/audit?build=4711", "/v1/audit?image=4711")
    with pytest.raises(walkthrough.WalkthroughError, match="request 13 is GET /v1/audit"):
        walkthrough.script(changed, "/bin", "http://x")


def test_requests_are_read_with_their_method_path_and_query():
    assert walkthrough.request("curl -s -X PATCH 'http://h/v1/namespaces/a/b?wait=true' -d '{}'") == \
        ("PATCH", "/v1/namespaces/a/b", "wait=true")
    assert walkthrough.request('curl -s -X POST http://h/v1/images -d "{\\"size\\": $(stat -c %s f)}"') == \
        ("POST", "/v1/images", "")
    assert walkthrough.request("curl -s 'http://h/v1/audit?build=1' -H 'A: b'") == ("GET", "/v1/audit", "build=1")
    # A request whose answer a variable keeps counts as one too.
    captured = "INVITE=$(curl -s -X POST 'http://h/v1/namespaces/a/b/invites?wait=true' -d '{}' | sed -E 's/x/y/')"
    assert walkthrough.request(captured) == ("POST", "/v1/namespaces/a/b/invites", "wait=true")
    assert len([c for c in walkthrough.commands(captured) if walkthrough.counts_as_request(c)]) == 1


def _answer(tmp_path, body, headers="HTTP/1.1 202 Accepted\r\nRegistry-Position: 9:0\r\n"):
    (tmp_path / "h").write_text(headers)
    (tmp_path / "b").write_text(json.dumps(body))
    return tmp_path / "h", tmp_path / "b"


def test_an_answer_is_checked_for_its_status_and_its_fields(tmp_path, monkeypatch):
    event = {"event": {"id": "x", "position": "9:0", "type": "namespace-created"}}
    assert walkthrough.check(2, 202, *_answer(tmp_path, event)) == []
    assert walkthrough.check(2, 200, *_answer(tmp_path, event))[0].startswith("status 200, expected 202")
    wrong = {"event": {"id": "x", "position": "9:1", "type": "image-created"}}
    assert walkthrough.check(2, 202, *_answer(tmp_path, wrong)) == [
        "type is 'image-created', expected 'namespace-created'", "Registry-Position '9:0' is not the event's position"]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "v1.qcow2").write_bytes(b"disk")
    digest = hashlib.sha256(b"disk").hexdigest()
    pinned = {"name": "my-image", "version": 1, "sha256": digest, "location": "file:///blobs/x"}
    assert walkthrough.check(11, 200, *_answer(tmp_path, pinned)) == []
    assert walkthrough.check(11, 200, *_answer(tmp_path, dict(pinned, version=2))) == ["version is 2, expected 1"]
