"""The issuer's head file (.chain-head.json) is a hint checked against the store before each issuance: edited,
stale or pointing at another certificate, it is rebuilt from the whole chain, so the next certificate still
follows the real last one and the chain verifies whole. The oracle is the full chain check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eraser.proof.certificates import generate_keys, issue, load_private_key
from eraser.proof.chain import check_chain
from eraser.proof.keyring import KeySet

HEAD = ".chain-head.json"


@pytest.fixture
def chain(tmp_path: Path) -> tuple[Path, object, KeySet]:
    generate_keys(tmp_path / "keys")
    key = load_private_key(tmp_path / "keys" / "eraser-signing.pem")
    directory = tmp_path / "certs"
    for n in range(3):
        issue({"kind": "erasure", "n": n}, key, directory)
    return directory, key, KeySet.from_files([tmp_path / "keys" / "eraser-signing.pub.pem"])


def edit_head(directory: Path, **changes: object) -> None:
    head = json.loads((directory / HEAD).read_text())
    head.update(changes)
    (directory / HEAD).write_text(json.dumps(head))


def older(directory: Path, sequence: int) -> dict[str, object]:
    """The head as it was after certificate `sequence` (a stale copy, put back)."""
    line = (directory / "transparency-log.jsonl").read_text().splitlines()[sequence - 1]
    entry = json.loads(line)
    links = check_chain(directory, None)
    link = links[sequence - 1]
    return {"sequence": sequence, "file": entry["certificate"], "digest": entry["sha256"],
            "issued_at": link.payload["certificate"]["issued_at"], "log_entries": sequence}


@pytest.mark.parametrize("tamper", ["digest", "sequence", "stale copy", "other file", "not json"])
def test_a_tampered_head_never_breaks_the_chain(chain, tamper: str) -> None:
    directory, key, keys = chain
    if tamper == "digest":
        edit_head(directory, digest="0" * 64)
    elif tamper == "sequence":
        edit_head(directory, sequence=2)
    elif tamper == "stale copy":  # the head of certificate 2, its log size made to match today's log
        edit_head(directory, **older(directory, 2))
    elif tamper == "other file":
        edit_head(directory, file=older(directory, 1)["file"])
    else:
        (directory / HEAD).write_text("{")
    issued = issue({"kind": "erasure", "n": 99}, key, directory)
    assert issued.sequence == 4
    links = check_chain(directory, keys)  # signatures, sequence, links, times: the whole chain
    assert [v.sequence for v in links] == [1, 2, 3, 4]
    assert len((directory / "transparency-log.jsonl").read_text().splitlines()) == 4


def test_an_untouched_head_is_used_as_it_is(chain, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a head that matches the store, issuance does not read the chain."""
    directory, key, _ = chain
    import eraser.proof.logfile

    def refuse(*_: object) -> None:
        raise AssertionError("the chain was read whole")

    monkeypatch.setattr(eraser.proof.logfile, "rebuild_head", refuse)
    assert issue({"kind": "erasure", "n": 5}, key, directory).sequence == 4
