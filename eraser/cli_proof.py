"""Commands for the proofs around a certificate: signed PDF, transparency log, key manifest and rotation.

`register(main)` adds `eraser log ...` and `eraser keys rotate|manifest ...`. The `certificate render` and
`certificate verify` commands call `render_pdf_command` and `verify_command`, with the options from
`pdf_options` and `verify_options`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from eraser.errors import CertificateError, EraserError

F = TypeVar("F", bound=Callable[..., Any])
LANGS = ("nl", "fr", "en")


def _path(**kwargs: Any) -> click.Path:
    return click.Path(path_type=Path, **kwargs)


def load_root_public(path: Path) -> Ed25519PublicKey:
    """The root public key from a public PEM, or derived from the root private PEM."""
    from eraser.certificates import load_private_key, load_public_key

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CertificateError(f"cannot read root key {path}: {exc.strerror}.") from None
    if b"PRIVATE KEY" in data:
        return load_private_key(path).public_key()
    return load_public_key(path)


def _load_root_private(path: Path) -> Ed25519PrivateKey:
    from eraser.certificates import load_private_key

    return load_private_key(path)


def _keys_for(store: Path, public_keys: Sequence[Path], manifest: Path | None, root_key: Path | None) -> Any:
    """What checks signatures: the manifest (with the root key), else the public keys given, else those in
    keys/ beside the certificates directory STORE."""
    from eraser.keyring import KeySet, load_manifest

    if manifest is not None:
        if root_key is None:
            raise EraserError("--manifest needs --root-key: the manifest is checked against the root public "
                              "key.")
        return load_manifest(manifest, load_root_public(root_key))
    keys = list(public_keys) or sorted((store.resolve().parent / "keys").glob("*.pub.pem"))
    if not keys:
        raise CertificateError(f"no public key to verify with beside {store}; pass --public-key FILE or "
                               "--manifest.")
    return KeySet.from_files(keys)


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


def render_pdf_bytes(file: Path | str, lang: str, public_keys: Sequence[Path] = (), pdf_key: Path | None = None,
                     pdf_cert: Path | None = None) -> bytes:
    """FILE's signed PDF in `lang`; the JWS is checked first when a public key is at hand."""
    from eraser.certificates import Verified, default_public_keys, read_jws, verify
    from eraser.pdf import default_pdf_key, render_pdf

    file = Path(file)
    keys = list(public_keys) or default_public_keys(file)
    check: Verified | None = verify(file, keys) if keys else None
    if check is None:
        read_jws(file)
    default_key, default_cert = default_pdf_key(file)
    return render_pdf(file, lang, pdf_key or default_key, pdf_cert or default_cert, check)


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
    """--checkpoint, --manifest, --root-key and --pdf-cert, for `certificate verify`."""
    f = click.option("--pdf-cert", type=_path(), default=None,
                     help="For a PDF: the X.509 certificate it must be signed with (default: "
                          "../keys/eraser-pdf-signing.cert.pem beside it, if present).")(f)
    f = click.option("--root-key", type=_path(), default=None,
                     help="Root public key (PEM) the key manifest is signed with.")(f)
    f = click.option("--manifest", type=_path(), default=None,
                     help="Key manifest: verify with the key it lists for the certificate's issue time.")(f)
    f = click.option("--checkpoint", type=_path(), default=None,
                     help="Signed log checkpoint: also prove the certificate is in the log it describes.")(f)
    return f


def verify_command(file: Path, public_keys: Sequence[Path] = (), checkpoint: Path | None = None,
                   manifest: Path | None = None, root_key: Path | None = None,
                   pdf_cert: Path | None = None) -> list[str]:
    """Verify a certificate (.cert.json, or its signed .pdf) and return the lines to print; CertificateError
    (exit 1) with the reason on the first check that fails."""
    from eraser.certificates import default_public_keys, verify
    from eraser.keyring import Manifest, iso, verify_with_manifest
    from eraser.translog import verify_inclusion

    keys = _keys_for(file.resolve().parent, public_keys, manifest, root_key)
    lines: list[str] = []
    certificate = file
    by_manifest = None
    if file.suffix.lower() == ".pdf":
        from eraser.pdf import verify_pdf

        checked = verify_pdf(file, list(public_keys), pdf_cert, keys if isinstance(keys, Manifest) else None)
        sig = checked.signature
        who = "the expected certificate" if sig.trusted else "a certificate not compared with a known one"
        lines.append(f"valid PDF: PAdES signature intact over the whole file, by “{sig.signer}” (SHA-256 "
                     f"{sig.fingerprint[:16]}...), {who}; attached {checked.attachment}"
                     + (", identical to the store copy." if checked.compared_with else "."))
        result, by_manifest = checked.certificate, checked.manifest
        certificate = checked.compared_with or file
    elif isinstance(keys, Manifest):
        by_manifest = verify_with_manifest(file, keys)
        result = by_manifest.verified
    else:
        result = verify(file, list(public_keys) or default_public_keys(file))
    lines.insert(0, f"valid: signed by key {result.kid}; chain position {result.sequence} ({result.chain}); "
                    f"outcome {result.payload.get('outcome')}.")
    if by_manifest is not None:
        k = by_manifest.key
        until = iso(k.valid_until) if k.valid_until else "now"
        lines.append(f"key: {k.status} in manifest {by_manifest.manifest.path.name} (version "
                     f"{by_manifest.manifest.version}), valid {iso(k.valid_from)} to {until}; certificate "
                     f"issued {iso(by_manifest.issued_at)}, within that period.")
    if checkpoint is not None:
        if certificate.suffix.lower() == ".pdf":
            raise CertificateError(f"{file}: to check the log, verify the certificate file in its store, not "
                                   "the PDF.")
        keyset = keys.keyset() if isinstance(keys, Manifest) else keys
        inclusion = verify_inclusion(certificate, checkpoint, keyset)
        cp = inclusion.checkpoint
        lines.append(f"log: entry {inclusion.index} of the log as of checkpoint {checkpoint.name} (tree size "
                     f"{cp.tree_size}, signed {iso(cp.timestamp)} by key {cp.kid}); the inclusion proof of "
                     f"{inclusion.path_length} hash(es) leads to its signed root.")
    return lines


# -- eraser log ------------------------------------------------------------------------------

@click.group("log")
def log_group() -> None:
    """Transparency log of the certificates: signed checkpoints, consistency between them."""


@log_group.command("append")
@click.argument("files", nargs=-1, required=True, type=_path())
def log_append(files: tuple[Path, ...]) -> None:
    """Add certificates to the log of their directory (a certificate already logged keeps its entry)."""
    from eraser.translog import append

    for file in files:
        entry = append(file)
        click.echo(f"{file.name}: log entry {entry.index} (SHA-256 {entry.sha256}).")


@log_group.command("checkpoint")
@click.option("--certificates", "directory", required=True, type=_path(file_okay=False),
              help="The certificates directory (its log is transparency-log.jsonl there).")
@click.option("--key", type=_path(), default=None,
              help="Ed25519 signing key (default: ../keys/eraser-signing.pem beside the directory).")
@click.option("--origin", default=None,
              help="Name of the log (default: from the first certificate's issuer).")
def log_checkpoint(directory: Path, key: Path | None, origin: str | None) -> None:
    """Log new certificates, check every logged one is still there unchanged, and sign a checkpoint."""
    from eraser.certificates import key_id, load_private_key
    from eraser.keyring import KeySet, iso
    from eraser.translog import checkpoint, read_checkpoint

    if not directory.is_dir():
        raise EraserError(f"--certificates {directory} is not a directory.")
    signing = load_private_key(key or directory.resolve().parent / "keys" / "eraser-signing.pem")
    path = checkpoint(directory, signing, origin)
    cp = read_checkpoint(path, KeySet({key_id(signing.public_key()): signing.public_key()}))
    click.echo(f"Checkpoint: {path}\n  tree size {cp.tree_size}, root {cp.root_hash.hex()}, signed "
               f"{iso(cp.timestamp)} by key {cp.kid}.")


@log_group.command("verify")
@click.argument("old", type=_path(dir_okay=False))
@click.argument("new", type=_path(dir_okay=False))
@click.option("--certificates", "directory", type=_path(file_okay=False), default=None,
              help="The certificates directory (default: the one NEW's checkpoints/ folder is in).")
@click.option("--public-key", "public_keys", multiple=True, type=_path(),
              help="Public key(s) the checkpoints may be signed with; default: ../keys/*.pub.pem.")
@click.option("--manifest", type=_path(), default=None, help="Key manifest instead of --public-key.")
@click.option("--root-key", type=_path(), default=None, help="Root public key of the manifest.")
def log_verify(old: Path, new: Path, directory: Path | None, public_keys: tuple[Path, ...],
               manifest: Path | None, root_key: Path | None) -> None:
    """Prove NEW's log only grew from OLD's (RFC 9162 consistency proof), every certificate still there."""
    from eraser.keyring import Manifest
    from eraser.translog import default_store, verify_consistency

    store = directory or default_store(new)
    keys = _keys_for(store, public_keys, manifest, root_key)
    result = verify_consistency(old, new, keys.keyset() if isinstance(keys, Manifest) else keys, store)
    click.echo(f"consistent: the log grew from {result.old.tree_size} to {result.new.tree_size} entries "
               f"(proof of {result.proof_length} hash(es)); all {result.new.tree_size} certificate(s) are in "
               f"{store}, unchanged.")


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
    from eraser.keyring import iso, rotate

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
    from eraser.certificates import key_id, load_public_key
    from eraser.keyring import create_manifest

    signing = load_public_key(public_key)
    start = valid_from.replace(tzinfo=UTC) if valid_from else None
    created = create_manifest(out, _load_root_private(root_key), [signing], start)
    click.echo(f"Manifest: {out} (version 1, root key {created.root_kid}); active key {key_id(signing)}.")


@manifest_group.command("show")
@click.argument("manifest", type=_path(dir_okay=False))
@click.option("--root-key", required=True, type=_path(dir_okay=False), help="Root public key (PEM).")
def manifest_show(manifest: Path, root_key: Path) -> None:
    """Check a manifest's signature and list its keys."""
    from eraser.keyring import iso, load_manifest

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
