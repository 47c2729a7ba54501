"""Attacks by someone who can write to the certificate store (and, for some, holds a signing key): each must be
refused with one sentence and a non-zero exit, and what is legitimate must keep verifying."""

from __future__ import annotations

import copy
import json
import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from eraser.cli import main
from eraser.proof.certificates import generate_keys, issue, load_private_key, load_public_key, read_jws, sign
from eraser.proof.keyring import create_manifest, rotate, sign_jws
from tests.test_proof import PAYLOAD, payload_at

NOW = datetime.now(UTC).replace(microsecond=0)
SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def run(*args: str | Path) -> Result:
    """The CLI in-process; a traceback fails the test."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


class Env:
    """keys/ beside certificates/, as the demo lays them out; the real key signs a chain of `n`."""

    def __init__(self, root: Path, n: int = 3) -> None:
        self.root = root
        self.keys, self.certs = root / "keys", root / "certificates"
        self.private, self.public, _ = generate_keys(self.keys)
        self.chain = [self.issue(payload_at(NOW - timedelta(hours=n - i))) for i in range(n)]

    def issue(self, payload: dict[str, Any], key: Path | None = None, at: datetime | None = None) -> Path:
        when = {"issued_at": at} if at else {}  # by default, certified now
        return issue(payload, load_private_key(key or self.private), self.certs, **when).path

    def next_link(self) -> tuple[str, dict[str, Any]]:
        """(file name, payload) the store's next certificate would have, read from a probe issued in a copy."""
        probe_dir = self.root / f"probe-{uuid.uuid4().hex[:8]}"
        shutil.copytree(self.certs, probe_dir)
        probe = issue(copy.deepcopy(PAYLOAD), load_private_key(self.private), probe_dir).path
        payload = read_jws(probe)[1]
        shutil.rmtree(probe_dir)
        return probe.name, payload


def forge(env: Env, key: Path, *, typ: str | None = None, **meta: Any) -> Path:
    """A certificate in the place of the store's next link, signed with `key`, its certificate metadata
    overridden by `meta` (a new id unless given)."""
    name, payload = env.next_link()
    old_id = payload["certificate"]["id"]
    payload["certificate"].update({"id": str(uuid.uuid4()), **meta})
    payload["totals"]["delete"] += 100  # what the forger wants certified
    private = load_private_key(key)
    document = sign_jws(payload, private, typ) if typ else sign(payload, private)
    path = env.certs / name.replace(old_id, payload["certificate"]["id"])
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


def test_a_key_dropped_beside_the_store_is_never_trusted(tmp_path: Path) -> None:
    """A certificate forged with the forger's own key, whose public key is dropped into keys/, does not read
    "valid" without --public-key, nor with a checkpoint the forger signed, nor in a rendering; with the real
    key it is refused as signed by an unknown key."""
    env = Env(tmp_path / "env")
    generate_keys(env.keys, "attacker")
    forged = env.issue(payload_at(NOW), key=env.keys / "attacker.pem")

    result = run("certificate", "verify", forged)
    assert result.exit_code == 1 and "valid" not in result.output.split("Error")[0], result.output
    result = run("certificate", "verify", forged, "--public-key", env.public)
    assert result.exit_code == 1 and "unknown key" in result.output, result.output
    cp = run("log", "checkpoint", "--certificates", env.certs, "--key", env.keys / "attacker.pem",
             "--public-key", env.keys / "attacker.pub.pem")
    checkpoint = next((env.certs / "checkpoints").glob("*.checkpoint.json"), None)
    if checkpoint is not None:
        result = run("certificate", "verify", forged, "--checkpoint", checkpoint)
        assert result.exit_code == 1, result.output
    else:
        assert cp.exit_code != 0
    result = run("certificate", "render", forged)
    page = forged.with_name(forged.name.removesuffix(".cert.json") + ".html").read_text()
    assert result.exit_code == 0 and "valid" not in page and "not checked" in page


def test_the_jws_type_is_checked(tmp_path: Path) -> None:
    """A certificate signed with the real key but typed as another kind of signed file is refused."""
    env = Env(tmp_path / "env")
    other = forge(env, env.private, typ="eraser-log-checkpoint+jws")
    result = run("certificate", "verify", other, "--public-key", env.public)
    assert result.exit_code == 1 and "not a destruction certificate" in result.output, result.output


def test_a_fork_is_refused_by_verify_checkpoint_and_log(tmp_path: Path) -> None:
    """Two certificates #4, both signed with the real key and linked to #3: verify (of either, or of any
    certificate of the store), log checkpoint and verify --checkpoint refuse, naming the fork."""
    env = Env(tmp_path / "env", n=3)
    key = load_private_key(env.private)
    checkpoint_before = run("log", "checkpoint", "--certificates", env.certs, "--key", env.private)
    assert checkpoint_before.exit_code == 0, checkpoint_before.output
    old = next((env.certs / "checkpoints").glob("*.checkpoint.json"))
    real = env.issue(payload_at(NOW))
    payload = read_jws(real)[1]
    old_id, new_id = payload["certificate"]["id"], str(uuid.uuid4())
    payload["certificate"]["id"] = new_id
    payload["totals"]["delete"] += 100
    fork = real.with_name(real.name.replace(old_id, new_id))
    fork.write_text(json.dumps(sign(payload, key)))
    for target in (fork, real, env.chain[0]):
        result = run("certificate", "verify", target, "--public-key", env.public)
        assert result.exit_code == 1 and "fork" in result.output, result.output
    result = run("log", "checkpoint", "--certificates", env.certs, "--key", env.private)
    assert result.exit_code == 1 and "fork" in result.output, result.output
    result = run("certificate", "verify", env.chain[1], "--public-key", env.public, "--checkpoint", old)
    assert result.exit_code == 1 and "fork" in result.output, result.output


def test_a_missing_predecessor_is_an_error_unless_partial(tmp_path: Path) -> None:
    """With certificate 2 deleted, verifying 3 fails ("gap"); --partial verifies it alone and says so."""
    env = Env(tmp_path / "env", n=3)
    env.chain[1].unlink()
    result = run("certificate", "verify", env.chain[2], "--public-key", env.public)
    assert result.exit_code == 1 and "gap" in result.output and "certificate 2 is missing" in result.output
    result = run("certificate", "verify", env.chain[2], "--public-key", env.public, "--partial")
    assert result.exit_code == 0 and "--partial" in result.output, result.output


def test_a_stolen_retired_key_cannot_backdate_a_certificate(tmp_path: Path) -> None:
    """After a rotation, a certificate signed with the stolen retired key and dated inside its period is
    refused by verify --manifest: issue times never go backwards along the chain."""
    env = Env(tmp_path / "env", n=0)
    root_private, root_public, _ = generate_keys(tmp_path / "offline", "eraser-root")
    manifest = env.keys / "manifest.json"
    create_manifest(manifest, load_private_key(root_private), [load_public_key(env.public)],
                    valid_from=NOW - timedelta(days=30))
    env.issue(payload_at(NOW - timedelta(days=20)), at=NOW - timedelta(days=20))
    stolen = tmp_path / "stolen.pem"
    shutil.copy(env.private, stolen)
    rotate(manifest, load_private_key(root_private), env.keys, now=NOW - timedelta(days=10))
    after = env.issue(payload_at(NOW - timedelta(days=5)), at=NOW - timedelta(days=5))
    trust = ("--manifest", manifest, "--root-key", root_public)
    assert run("certificate", "verify", after, *trust).exit_code == 0

    backdated = NOW - timedelta(days=15)
    forged = forge(env, stolen, issued_at=backdated.isoformat().replace("+00:00", "Z"))
    document = read_jws(forged)[1]
    document["ticket"]["completed_at"] = backdated.isoformat().replace("+00:00", "Z")
    meta = document["certificate"]
    forged.write_text(json.dumps(sign(document, load_private_key(stolen))))
    assert meta["sequence"] == 3
    result = run("certificate", "verify", forged, *trust)
    assert result.exit_code == 1 and "backwards" in result.output, result.output


def test_a_ticket_completed_before_a_rotation_verifies_after_it(tmp_path: Path) -> None:
    """Key validity is judged by when the certificate was issued, not when its ticket completed: a ticket
    completed before the rotation and certified after it verifies with the manifest."""
    env = Env(tmp_path / "env", n=0)
    root_private, root_public, _ = generate_keys(tmp_path / "offline", "eraser-root")
    manifest = env.keys / "manifest.json"
    create_manifest(manifest, load_private_key(root_private), [load_public_key(env.public)],
                    valid_from=NOW - timedelta(days=30))
    rotate(manifest, load_private_key(root_private), env.keys, now=NOW - timedelta(minutes=5))
    late = env.issue(payload_at(NOW - timedelta(days=1)))  # completed yesterday, certified now
    result = run("certificate", "verify", late, "--manifest", manifest, "--root-key", root_public)
    assert result.exit_code == 0, result.output


def _log_lines(env: Env) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (env.certs / "transparency-log.jsonl").read_text().splitlines()]


def _write_log(env: Env, entries: list[dict[str, Any]]) -> None:
    (env.certs / "transparency-log.jsonl").write_text(
        "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in entries))


def test_a_reordered_log_is_never_checkpointed(tmp_path: Path) -> None:
    """Entries 1 and 2 of the log swapped (indexes kept in order): log checkpoint refuses to sign it, and so
    does log append."""
    env = Env(tmp_path / "env", n=3)
    entries = _log_lines(env)
    for field in ("sha256", "certificate"):
        entries[1][field], entries[2][field] = entries[2][field], entries[1][field]
    _write_log(env, entries)
    result = run("log", "checkpoint", "--certificates", env.certs, "--key", env.private)
    assert result.exit_code == 1 and "reordered" in result.output, result.output
    assert not (env.certs / "checkpoints").exists()
    result = run("log", "append", env.chain[2], "--public-key", env.public)
    assert result.exit_code == 1 and "reordered" in result.output, result.output


def test_a_renumbered_certificate_is_never_checkpointed(tmp_path: Path) -> None:
    """Certificate 2 deleted and certificate 3 renamed to number 2 (its log entry rewritten to match):
    checkpoint and verify refuse, since the signed sequence is what counts, not the file name."""
    env = Env(tmp_path / "env", n=3)
    name2, name3 = env.chain[1].name, env.chain[2].name
    renamed = env.chain[2].with_name(name2.split("-", 1)[0] + "-" + name3.split("-", 1)[1])
    env.chain[1].unlink()
    env.chain[2].rename(renamed)
    entries = _log_lines(env)
    entries[1].update(sha256=entries[2]["sha256"], certificate=renamed.name)
    _write_log(env, entries[:2])
    result = run("log", "checkpoint", "--certificates", env.certs, "--key", env.private)
    assert result.exit_code == 1, result.output
    assert not (env.certs / "checkpoints").exists()
    result = run("certificate", "verify", renamed, "--public-key", env.public)
    assert result.exit_code == 1 and "renamed" in result.output, result.output


def test_reformatting_a_certificate_keeps_its_chain_and_log(tmp_path: Path) -> None:
    """Re-indenting a certificate's JSON changes no signed byte: the chain, the log and a checkpoint still
    verify."""
    env = Env(tmp_path / "env", n=2)
    assert run("log", "checkpoint", "--certificates", env.certs, "--key", env.private).exit_code == 0
    checkpoint = next((env.certs / "checkpoints").glob("*.checkpoint.json"))
    first = env.chain[0]
    first.write_text(json.dumps(json.loads(first.read_text()), indent=8, sort_keys=True))
    result = run("certificate", "verify", env.chain[1], "--public-key", env.public)
    assert result.exit_code == 0, result.output
    result = run("certificate", "verify", first, "--public-key", env.public, "--checkpoint", checkpoint)
    assert result.exit_code == 0, result.output


@SQLITE
def test_identifiers_never_reach_a_certificate_through_free_text(demo_env, tmp_path: Path) -> None:
    """--ticket-ref and --operator holding an email, phone or national number are refused before anything is
    erased; the API refuses such external_ref and requested_by (422, the value not echoed)."""
    from tests.rights_helpers import table_rows
    from tests.test_daemon import Daemon

    before = table_rows(demo_env.engine, "persons")
    for option, value in (("--ticket-ref", "jan.peeters@example.be"), ("--operator", "+32 470 12 34 56"),
                          ("--ticket-ref", "85.07.30-033.28")):
        result = run("erase", "--config", demo_env.config, "--subject", "email=jan.peeters@example.be", "--yes",
                     option, value)
        assert result.exit_code == 2 and option in result.output and value not in result.output, result.output
    assert table_rows(demo_env.engine, "persons") == before
    assert not any(demo_env.certificates.glob("*.cert.json"))

    daemon = Daemon(tmp_path / "d")
    try:
        for field, value in (("external_ref", "jan@example.be"), ("requested_by", "0470 12 34 56")):
            body = {"subject": {"email": "someone@example.be"}, "requested_by": "helpdesk", field: value}
            response = daemon.post("/tickets", body)
            assert response.status_code == 422 and field in response.text and value not in response.text
    finally:
        daemon.close()


def test_a_stored_ticket_reference_holding_an_email_is_keyed_in_the_certificate(tmp_path: Path) -> None:
    """A ticket recorded with an email as its reference (before the rule existed) gets a certificate that holds
    the keyed reference, never the email."""
    import sqlalchemy as sa

    from tests.test_daemon import Daemon

    daemon = Daemon(tmp_path / "d")
    try:
        ticket = daemon.submit(ref="HD-5")
        with daemon.store.engine.begin() as conn:
            conn.execute(sa.text("UPDATE tickets SET external_ref = 'jan@example.be' WHERE id = :i"),
                         {"i": ticket["id"]})
        daemon.drain()
        cert = daemon.store.certificate(daemon.store.ticket(ticket["id"])["certificate_id"])
        assert cert is not None
        payload = read_jws(Path(cert["path"]))[1]
        assert "jan@example.be" not in json.dumps(payload)
        assert payload["ticket"]["reference"].startswith("hmac-sha256:")
    finally:
        daemon.close()


def test_a_stored_ticket_reference_holding_an_email_stays_out_of_the_journals(tmp_path: Path) -> None:
    """The same legacy ticket: the email is in its own row only; the recorded intent, the outcome, the replay
    journal and every other table of the state store hold the keyed reference instead."""
    import sqlalchemy as sa

    from tests.test_daemon import Daemon

    daemon = Daemon(tmp_path / "d")
    try:
        ticket = daemon.submit(ref="HD-6")
        with daemon.store.engine.begin() as conn:
            conn.execute(sa.text("UPDATE tickets SET external_ref = 'jan@example.be' WHERE id = :i"),
                         {"i": ticket["id"]})
        daemon.drain()
        assert daemon.store.ticket(ticket["id"])["certificate_id"] is not None
        found = []
        with daemon.store.engine.connect() as conn:
            for table in sa.inspect(conn).get_table_names():
                if table == "tickets":  # the legacy row itself
                    continue
                for row in conn.execute(sa.text(f'SELECT * FROM "{table}"')):
                    if "jan@example.be" in repr(tuple(row)):
                        found.append(table)
        assert found == []
    finally:
        daemon.close()


@SQLITE
def test_file_paths_are_listed_by_keyed_reference_only(demo_env, tmp_path: Path) -> None:
    """A guessable path (customers/C0000033/...) cannot be recovered from the certificate: neither the path
    nor its plain SHA-256 is in it."""
    import hashlib

    from tests.rights_helpers import certificate_of
    from tests.test_files import _files_config, _subject_photos

    config, _ = _files_config(demo_env, tmp_path)
    paths = _subject_photos(demo_env.engine).values()
    result = run("erase", "--config", config, "--subject", "email=jan.peeters@example.be", "--yes")
    assert result.exit_code == 0, result.output
    text = json.dumps(certificate_of(result.output))
    assert paths and not any(p in text or hashlib.sha256(p.encode()).hexdigest() in text for p in paths)


def _erase(demo_env, config: Path | None = None, *options: str) -> Result:
    return run(*options, "erase", "--config", config or demo_env.config, "--subject",
               "email=jan.peeters@example.be", "--yes")


@SQLITE
def test_a_public_key_that_does_not_match_the_signing_key_is_refused_at_start(demo_env) -> None:
    """A config whose public key is not the signing key's refuses before anything is erased."""
    before = table_rows_of(demo_env)
    generate_keys(demo_env.directory / "other")
    shutil.copy(demo_env.directory / "other" / "eraser-signing.pub.pem", demo_env.public_key)
    result = _erase(demo_env)
    assert result.exit_code == 1 and "does not match" in result.output, result.output
    assert table_rows_of(demo_env) == before


def table_rows_of(demo_env) -> dict[Any, Any]:
    from tests.rights_helpers import table_rows

    return table_rows(demo_env.engine, "persons")


@SQLITE
def test_key_and_secret_files_readable_by_others_are_refused(demo_env, tmp_path: Path,
                                                             capfd: pytest.CaptureFixture[str]) -> None:
    """A 0644 secret file (or signing key) refuses the erasure; --insecure-permissions warns loudly and goes
    on."""
    from tests.rights_helpers import variant

    secret = demo_env.directory / "keys" / "secret"
    secret.write_text("s" * 64)
    secret.chmod(0o644)
    config = variant(demo_env.config, tmp_path, ("secret: ${ERASER_SECRET}", f"secret_file: {secret}"))
    before = table_rows_of(demo_env)
    result = _erase(demo_env, config)
    assert result.exit_code == 1 and "0644" in result.output and "--insecure-permissions" in result.output
    assert table_rows_of(demo_env) == before
    secret.chmod(0o600)
    (demo_env.directory / "keys" / "eraser-signing.pem").chmod(0o644)
    result = _erase(demo_env, config)
    assert result.exit_code == 1 and "signing key" in result.output and "0644" in result.output
    result = _erase(demo_env, config, "--insecure-permissions")
    # the warning is logged: to the runner's stderr, or to the process's when the logger holds the real one
    assert result.exit_code == 0 and "warning" in (result.output + result.stderr + capfd.readouterr().err).lower(), result.output


@SQLITE
def test_a_short_secret_is_refused(demo_env, monkeypatch: pytest.MonkeyPatch) -> None:
    """A secret shorter than 32 bytes keys nothing: the erasure is refused before anything changes."""
    monkeypatch.setenv("ERASER_SECRET", "short-secret")
    before = table_rows_of(demo_env)
    result = _erase(demo_env)
    assert result.exit_code == 2 and "at least 32" in result.output and "short-secret" not in result.output
    assert table_rows_of(demo_env) == before


def test_a_witness_cosigns_only_a_log_that_grew_and_verify_accepts_cosigned_checkpoints(tmp_path: Path) -> None:
    """Checkpoints are C2SP signed notes; `log witness` co-signs one after checking it against the last it
    co-signed; verify --checkpoint --witness-key accepts the co-signed note. A log rewritten and signed anew
    with the log's own key is refused by the witness, and its note is then not accepted as witnessed."""
    env = Env(tmp_path / "env", n=2)
    _, witness_public, _ = generate_keys(tmp_path / "dpo", "witness")
    witness = ("--key", tmp_path / "dpo" / "witness.pem", "--name", "dpo.example.be", "--state", tmp_path / "seen",
               "--public-key", env.public)

    def checkpoint_note() -> Path:
        assert run("log", "checkpoint", "--certificates", env.certs, "--key", env.private).exit_code == 0
        return max((env.certs / "checkpoints").glob("*.checkpoint.note"))

    first = checkpoint_note()
    assert first.read_text().splitlines()[1] == "2"
    result = run("log", "witness", first, *witness)
    assert result.exit_code == 0 and "first checkpoint" in result.output, result.output
    env.issue(payload_at(NOW))
    second = checkpoint_note()
    result = run("log", "witness", second, *witness)
    assert result.exit_code == 0 and "consistent with the 2 entries" in result.output, result.output
    result = run("certificate", "verify", env.chain[0], "--public-key", env.public, "--checkpoint", second,
                 "--witness-key", witness_public)
    assert result.exit_code == 0 and "witnessed" in result.output, result.output

    for path in [*env.certs.glob("*.cert.json"), env.certs / "transparency-log.jsonl",
                 env.certs / ".chain-head.json"]:
        if path != env.chain[0]:
            path.unlink()
    shutil.rmtree(env.certs / ".ids")
    for n in range(3):
        env.issue(payload_at(NOW + timedelta(minutes=n)))
    rewritten = checkpoint_note()
    result = run("log", "witness", rewritten, *witness)
    assert result.exit_code == 1 and "rewritten" in result.output, result.output
    result = run("certificate", "verify", env.chain[0], "--public-key", env.public, "--checkpoint", rewritten,
                 "--witness-key", witness_public)
    assert result.exit_code == 1 and "not co-signed" in result.output, result.output
