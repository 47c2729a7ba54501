"""Commands for the proofs around a certificate: signed PDF, transparency log, key manifest and rotation.

`register(main)` adds `eraser log ...` and `eraser keys rotate|manifest ...`. The `certificate render` and
`certificate verify` commands call `render_pdf_command` and `verify_command`, with the options from
`pdf_options` and `verify_options`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from eraser.errors import CertificateError, EraserError
from eraser.proof.rendering import render_pdf_bytes

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

F = TypeVar("F", bound=Callable[..., Any])
LANGS = ("nl", "fr", "en")


def _path(**kwargs: Any) -> click.Path:
    return click.Path(path_type=Path, **kwargs)


def load_root_public(path: Path) -> Ed25519PublicKey:
    """The root public key from a public PEM, or derived from the root private PEM."""
    from eraser.proof.keys import load_private_key, load_public_key

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CertificateError(f"cannot read root key {path}: {exc.strerror}.") from None
    if b"PRIVATE KEY" in data:
        return load_private_key(path).public_key()
    return load_public_key(path)


def _load_root_private(path: Path) -> Ed25519PrivateKey:
    from eraser.proof.keys import load_private_key

    return load_private_key(path)


def trusted_keys(public_keys: Sequence[Path], manifest: Path | None, root_key: Path | None) -> Any:
    """What checks signatures: the manifest checked against the root key the verifier names, else the public
    key files given. Never a key found beside the certificates: whoever can write there could drop one."""
    from eraser.proof.keyring import KeySet, load_manifest

    if manifest is not None:
        if root_key is None:
            raise EraserError("--manifest needs --root-key: the manifest is checked against the root public "
                              "key.")
        return load_manifest(manifest, load_root_public(root_key))
    if root_key is not None:
        raise EraserError("--root-key needs --manifest: the root key signs the manifest, not certificates.")
    if not public_keys:
        raise CertificateError("no trusted key to verify with: pass --public-key FILE, or --manifest FILE with "
                               "--root-key FILE (keys found beside the certificates are never trusted).")
    return KeySet.from_files(list(public_keys))


def trust_options(f: F) -> F:
    """--public-key, --manifest and --root-key: the keys a verifier names."""
    f = click.option("--root-key", type=_path(), default=None,
                     help="Root public key (PEM) the key manifest is signed with.")(f)
    f = click.option("--manifest", type=_path(), default=None,
                     help="Key manifest: verify with the key it lists for each certificate's issue time.")(f)
    f = click.option("--public-key", "public_keys", multiple=True, type=_path(),
                     help="Public key (PEM) to verify with; repeatable. Keys beside the certificates are never "
                          "used unless named here.")(f)
    return f


# -- certificate render --format pdf -----------------------------------------------------------

def pdf_options(f: F) -> F:
    """--lang, --pdf-key and --pdf-cert, for `certificate render`."""
    f = click.option("--pdf-cert", type=_path(), default=None,
                     help="X.509 certificate of the PDF signing key (default: "
                          "../keys/eraser-pdf-signing.cert.pem beside the certificate).")(f)
    f = click.option("--pdf-key", type=_path(), default=None,
                     help="ECDSA P-256 key that signs the PDF (default: ../keys/eraser-pdf-signing.pem "
                          "beside the certificate).")(f)
    f = click.option("--lang", type=click.Choice(LANGS), default="en", show_default=True,
                     help="Language of the PDF: Dutch, French or English.")(f)
    return f


def render_pdf_command(file: Path, out: Path | None, public_keys: Sequence[Path], lang: str,
                       pdf_key: Path | None = None, pdf_cert: Path | None = None) -> Path:
    """Write FILE's signed PDF in `lang` (default FILE with .LANG.pdf); the JWS is checked first when a public
    key is at hand. Returns the path written."""
    data = render_pdf_bytes(file, lang, public_keys, pdf_key, pdf_cert)
    target = out or file.with_name(file.name.removesuffix(".json").removesuffix(".cert") + f".{lang}.pdf")
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise EraserError(f"cannot write {target}: {exc.strerror}.") from None
    return target


# -- certificate verify: PDF, manifest, checkpoint -----------------------------------------------

def verify_options(f: F) -> F:
    """--checkpoint, --witness-key, --manifest, --root-key, --partial and --pdf-cert, for `certificate
    verify`."""
    f = click.option("--witness-key", "witness_keys", multiple=True, type=_path(),
                     help="Public key (PEM) of a witness that must have co-signed the --checkpoint note; "
                          "repeatable.")(f)
    f = click.option("--pdf-cert", type=_path(), default=None,
                     help="For a PDF: the X.509 certificate it must be signed with (without it, the PDF "
                          "signature is checked intact but its signer is not vouched for).")(f)
    f = click.option("--partial", is_flag=True, default=False,
                     help="Verify this one certificate out of its chain (its place in the chain is not "
                          "checked, and the output says so).")(f)
    f = click.option("--root-key", type=_path(), default=None,
                     help="Root public key (PEM) the key manifest is signed with.")(f)
    f = click.option("--manifest", type=_path(), default=None,
                     help="Key manifest: verify with the key it lists for each certificate's issue time.")(f)
    f = click.option("--checkpoint", type=_path(), default=None,
                     help="Signed log checkpoint: also prove the certificate is in the log it describes, and "
                          "that the log is the chain in order.")(f)
    return f


def verify_command(file: Path, public_keys: Sequence[Path] = (), checkpoint: Path | None = None,
                   manifest: Path | None = None, root_key: Path | None = None,
                   pdf_cert: Path | None = None, partial: bool = False,
                   witness_keys: Sequence[Path] = ()) -> list[str]:
    """Verify a certificate (.cert.json, or its signed .pdf) and, unless partial, its whole chain; return the
    lines to print; CertificateError (exit 1) with the reason on the first check that fails."""
    from eraser._time import iso
    from eraser.proof.chain import check_chain, verify
    from eraser.proof.keyring import Manifest
    from eraser.proof.translog import verify_inclusion

    keys = trusted_keys(public_keys, manifest, root_key)
    if partial and checkpoint is not None:
        raise EraserError("--checkpoint checks the log whole; it cannot be combined with --partial.")
    lines: list[str] = []
    certificate = file
    if file.suffix.lower() == ".pdf":
        from eraser.proof.pdf_verify import verify_pdf

        checked = verify_pdf(file, keys, pdf_cert, partial)
        sig = checked.signature
        who = "the expected certificate" if sig.trusted else "a certificate not compared with a known one"
        lines.append(f"valid PDF: PAdES signature intact over the whole file, by “{sig.signer}” (SHA-256 "
                     f"{sig.fingerprint[:16]}...), {who}; attached {checked.attachment}"
                     + (", identical to the store copy." if checked.compared_with else "."))
        result = checked.certificate
        certificate = checked.compared_with or file
    else:
        result = verify(file, keys, partial)
    whole = "" if partial else f"; the chain of {result.chain_length} certificate(s) checked whole"
    lines.insert(0, f"valid: signed by key {result.kid}; chain position {result.sequence} ({result.chain}{whole}); "
                    f"outcome {result.payload.get('outcome')}.")
    if isinstance(keys, Manifest):
        k = keys.key(result.kid)
        assert k is not None and result.issued_at is not None
        until = iso(k.valid_until) if k.valid_until else "now"
        lines.append(f"key: {k.status} in manifest {keys.path.name} (version {keys.version}), valid "
                     f"{iso(k.valid_from)} to {until}; certificate issued {iso(result.issued_at)}, within that "
                     "period.")
    if checkpoint is not None:
        if certificate.suffix.lower() == ".pdf":
            raise CertificateError(f"{file}: to check the log, verify the certificate file in its store, not "
                                   "the PDF.")
        links = check_chain(certificate.resolve().parent, keys.keyset() if isinstance(keys, Manifest) else keys)
        inclusion = verify_inclusion(certificate, checkpoint, keys, links=links, witnesses=witness_keys)
        cp = inclusion.checkpoint
        lines.append(f"log: entry {inclusion.index} of the log as of checkpoint {checkpoint.name} (tree size "
                     f"{cp.tree_size}, signed {iso(cp.timestamp)} by key {cp.kid}); the inclusion proof of "
                     f"{inclusion.path_length} hash(es) leads to its signed root; every entry it covers is the "
                     "chain's certificate of that position.")
        if witness_keys:
            lines.append(f"witnessed: co-signed by all {len(witness_keys)} witness key(s) given.")
    elif witness_keys:
        raise EraserError("--witness-key needs --checkpoint: witnesses co-sign checkpoints.")
    return lines


# -- eraser log ------------------------------------------------------------------------------

@click.group("log")
def log_group() -> None:
    """Transparency log of the certificates: signed checkpoints, consistency between them."""


@log_group.command("append")
@click.argument("files", nargs=-1, required=True, type=_path())
@trust_options
def log_append(files: tuple[Path, ...], public_keys: tuple[Path, ...], manifest: Path | None,
               root_key: Path | None) -> None:
    """Add certificates to the log of their directory, in chain order, after checking the chain whole (a
    certificate already logged keeps its entry)."""
    from eraser.proof.translog import append

    keys = trusted_keys(public_keys, manifest, root_key)
    for file in files:
        entry = append(file, keys)
        click.echo(f"{file.name}: log entry {entry.index} (SHA-256 {entry.sha256}).")


@log_group.command("checkpoint")
@click.option("--certificates", "directory", required=True, type=_path(file_okay=False),
              help="The certificates directory (its log is transparency-log.jsonl there).")
@click.option("--key", type=_path(), default=None,
              help="Ed25519 signing key (default: ../keys/eraser-signing.pem beside the directory).")
@click.option("--origin", default=None,
              help="Name of the log (default: from the first certificate's issuer).")
@trust_options
def log_checkpoint(directory: Path, key: Path | None, origin: str | None, public_keys: tuple[Path, ...],
                   manifest: Path | None, root_key: Path | None) -> None:
    """Check the chain whole and the log against it, log new certificates, and sign a checkpoint. The
    certificates are verified with --manifest (needed once keys were rotated), --public-key, or else the
    signing key's own public key."""
    from eraser._time import iso
    from eraser.proof.keys import load_private_key
    from eraser.proof.translog import checkpoint, read_checkpoint

    if not directory.is_dir():
        raise EraserError(f"--certificates {directory} is not a directory.")
    signing = load_private_key(key or directory.resolve().parent / "keys" / "eraser-signing.pem")
    keys = trusted_keys(public_keys, manifest, root_key) if public_keys or manifest or root_key else None
    path = checkpoint(directory, signing, origin, keys=keys)
    cp = read_checkpoint(path, _own_key(signing))
    click.echo(f"Checkpoint: {path}\n  tree size {cp.tree_size}, root {cp.root_hash.hex()}, signed "
               f"{iso(cp.timestamp)} by key {cp.kid}.")


def _own_key(signing: Ed25519PrivateKey) -> Any:
    from eraser.proof.keyring import KeySet
    from eraser.proof.keys import key_id

    return KeySet({key_id(signing.public_key()): signing.public_key()})


@log_group.command("verify")
@click.argument("old", type=_path(dir_okay=False))
@click.argument("new", type=_path(dir_okay=False))
@click.option("--certificates", "directory", type=_path(file_okay=False), default=None,
              help="The certificates directory (default: the one NEW's checkpoints/ folder is in).")
@trust_options
def log_verify(old: Path, new: Path, directory: Path | None, public_keys: tuple[Path, ...],
               manifest: Path | None, root_key: Path | None) -> None:
    """Prove NEW's log only grew from OLD's (RFC 9162 consistency proof), every certificate still there, the
    log the chain in order, every certificate verified."""
    from eraser.proof.translog import default_store, verify_consistency

    store = directory or default_store(new)
    result = verify_consistency(old, new, trusted_keys(public_keys, manifest, root_key), store)
    click.echo(f"consistent: the log grew from {result.old.tree_size} to {result.new.tree_size} entries "
               f"(proof of {result.proof_length} hash(es)); all {result.new.tree_size} certificate(s) are in "
               f"{store}, unchanged.")


@log_group.command("witness")
@click.argument("note", type=_path(dir_okay=False))
@click.option("--certificates", "directory", type=_path(file_okay=False), default=None,
              help="The certificates directory whose log the checkpoint describes (default: the one NOTE's "
                   "checkpoints/ folder is in).")
@click.option("--key", "witness_key", required=True, type=_path(dir_okay=False),
              help="The witness's own Ed25519 private key (make one with `eraser keys generate`).")
@click.option("--name", required=True, help="The witness's key name, e.g. dpo.example.be (no spaces).")
@click.option("--state", required=True, type=_path(file_okay=False),
              help="Where the witness keeps the last checkpoint it co-signed, per log.")
@trust_options
def log_witness(note: Path, directory: Path | None, witness_key: Path, name: str, state: Path,
                public_keys: tuple[Path, ...], manifest: Path | None, root_key: Path | None) -> None:
    """Co-sign a checkpoint note (C2SP tlog-cosignature) after checking it is signed by the log's key (the
    --public-key or --manifest given), describes the log, and is consistent with the last one witnessed."""
    import re

    from eraser.proof.keyring import Manifest
    from eraser.proof.keys import check_private, load_private_key
    from eraser.proof.translog import default_store
    from eraser.proof.witness import witness

    if not re.fullmatch(r"[^\s+]+", name):
        raise EraserError("--name must be one word without spaces or '+'.")
    keys = trusted_keys(public_keys, manifest, root_key)
    check_private(witness_key, "witness key")
    result = witness(note, directory or default_store(note), keys.keyset() if isinstance(keys, Manifest) else keys,
                     load_private_key(witness_key), name, state)
    since = (f"consistent with the {result.previous_size} entries witnessed before (proof of "
             f"{result.proof_length} hash(es))" if result.previous_size is not None
             else "the first checkpoint of this log this witness sees")
    click.echo(f"co-signed {note} as {name}: tree size {result.checkpoint.tree_size}, {since}.")


# -- eraser keys rotate | manifest -------------------------------------------------------------

@click.command("rotate")
@click.option("--manifest", required=True, type=_path(dir_okay=False), help="The key manifest to update.")
@click.option("--root-key", required=True, type=_path(dir_okay=False),
              help="The offline root private key (PEM) that signs the manifest.")
@click.option("--keys-dir", type=_path(file_okay=False), default=None,
              help="Where the signing key pair lives (default: the manifest's directory).")
@click.option("--name", default="eraser-signing", show_default=True,
              help="File name of the signing key pair.")
def keys_rotate(manifest: Path, root_key: Path, keys_dir: Path | None, name: str) -> None:
    """Retire the active signing key (valid until now) and make a new one active; re-sign the manifest."""
    from eraser._time import iso
    from eraser.proof.keyring import rotate

    rotated = rotate(manifest, _load_root_private(root_key), keys_dir or manifest.resolve().parent, name)
    retired = rotated.manifest.key(rotated.retired_kid)
    assert retired is not None and retired.valid_until is not None
    click.echo(f"Retired key {rotated.retired_kid} (valid until {iso(retired.valid_until)})"
               + (f"; its public key is now {rotated.retired_public_key} and its private key was deleted"
                  if rotated.retired_public_key else "")
               + f".\nNew key {rotated.kid}: {rotated.private_key} (mode 0600) and {rotated.public_key}.\n"
                 f"Manifest {manifest} is now version {rotated.manifest.version}.")


@click.group("manifest")
def manifest_group() -> None:
    """Key manifest signed by the offline root key."""


@manifest_group.command("create")
@click.option("--root-key", required=True, type=_path(dir_okay=False),
              help="The offline root private key (PEM); make one with "
                   "`eraser keys generate --name eraser-root`.")
@click.option("--public-key", required=True, type=_path(dir_okay=False),
              help="The signing public key in use.")
@click.option("--out", required=True, type=_path(dir_okay=False), help="Manifest file to write.")
@click.option("--valid-from", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]), default=None,
              help="Since when the signing key is valid, UTC (default: now); backdate it to cover earlier "
                   "certificates.")
def manifest_create(root_key: Path, public_key: Path, out: Path, valid_from: datetime | None) -> None:
    """Write version 1 of a key manifest, with the signing key in use as the active key."""
    from eraser.proof.keyring import create_manifest
    from eraser.proof.keys import key_id, load_public_key

    signing = load_public_key(public_key)
    start = valid_from.replace(tzinfo=UTC) if valid_from else None
    created = create_manifest(out, _load_root_private(root_key), [signing], start)
    click.echo(f"Manifest: {out} (version 1, root key {created.root_kid}); active key {key_id(signing)}.")


@manifest_group.command("show")
@click.argument("manifest", type=_path(dir_okay=False))
@click.option("--root-key", required=True, type=_path(dir_okay=False), help="Root public key (PEM).")
def manifest_show(manifest: Path, root_key: Path) -> None:
    """Check a manifest's signature and list its keys."""
    from eraser._time import iso
    from eraser.proof.keyring import load_manifest

    loaded = load_manifest(manifest, load_root_public(root_key))
    click.echo(f"valid: manifest version {loaded.version}, issued {iso(loaded.issued_at)}, signed by root "
               f"key {loaded.root_kid}.")
    for k in loaded.keys:
        until = iso(k.valid_until) if k.valid_until else "-"
        click.echo(f"  {k.kid}  {k.status:7}  from {iso(k.valid_from)}  until {until}")


def register(main: click.Group) -> None:
    """Add `log` and `keys rotate|manifest` to the eraser command."""
    main.add_command(log_group)
    keys = main.commands.get("keys")
    if not isinstance(keys, click.Group):
        keys = click.Group("keys", help="Signing keys.")
        main.add_command(keys)
    keys.add_command(keys_rotate)
    keys.add_command(manifest_group)
