"""The `eraser` command: thin click commands over the engine; errors become one sentence and an exit code."""

from __future__ import annotations

import gc
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
import structlog

from eraser import __version__
from eraser import logging as eraser_logging
from eraser.cli.options import config_option, hold_option, request_date_option, subject_option
from eraser.cli.proof import pdf_options, render_pdf_command, verify_command, verify_options
from eraser.errors import EraserError
from eraser.proof.rendering import checked_for_rendering

log = structlog.get_logger("eraser.cli")


class Eraser(click.Group):
    """Turns the errors a user can cause into `Error: <sentence>` and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EraserError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except Exception as exc:
            errors = sys.modules.get("sqlalchemy.exc")  # imported by the commands that use a database, not here
            if errors is None or not isinstance(exc, errors.SQLAlchemyError):
                raise
            # The driver's text may quote row values (personal data): name the failure, not the values.
            click.echo(f"Error: database error ({type(exc).__name__}); the transaction was rolled back and "
                       "nothing was changed.", err=True)
            sys.exit(3)


@click.group(cls=Eraser, context_settings={"help_option_names": ["-h", "--help"], "auto_envvar_prefix": "ERASER"})
@click.version_option(__version__, prog_name="eraser")
@click.option("--log-format", type=click.Choice(["auto", "json", "console"]), default="auto", show_default=True,
              help="Log lines as JSON (daemon) or for a terminal; auto picks by whether stderr is a terminal.")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]), default="WARNING",
              show_default=True)
@click.option("--insecure-permissions", is_flag=True, default=False,
              help="Warn about key and secret files readable by others instead of refusing to run.")
@click.pass_context
def main(ctx: click.Context, log_format: str, log_level: str, insecure_permissions: bool) -> None:
    """Erase personal data from databases, keep what the law requires, and prove it."""
    from eraser.proof.keys import allow_insecure_permissions

    if not gc.isenabled():  # the `eraser` command's start-up is over (eraser/__init__.py turned collection off)
        gc.freeze()  # what was imported lives until exit: later collections leave it alone
        gc.enable()

    eraser_logging.configure(json=None if log_format == "auto" else log_format == "json", level=log_level)
    allow_insecure_permissions(insecure_permissions)




def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


# -- plan and erase ---------------------------------------------------------------------------

@main.command()
@config_option
@subject_option
@request_date_option
@hold_option
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@click.option("--trace", is_flag=True,
              help="Also rehearse the erasure: run it in its transactions, verify, roll back, and print the SQL "
                   "it ran (placeholders only, never values).")
def plan(config_path: Path, subjects: tuple[str, ...], request_date: datetime | None, hold_reason: str | None,
         as_json: bool, trace: bool) -> None:
    """Show what an erasure would do, table by table, and why. Nothing is changed."""
    from eraser.cli.report import format_plan
    from eraser.config import load_config
    from eraser.engine.execute import make_plan
    from eraser.engine.holds import holds_store, subject_hold
    from eraser.engine.search_index import slow_scan_note
    from eraser.engine.session import open_session
    from eraser.subjects import parse_subject

    config = load_config(config_path)
    subject = parse_subject(list(subjects), config)
    with eraser_logging.redacting(subject.terms()), open_session(config) as session, holds_store(config) as store:
        hold = subject_hold(config, store, subject, hold_reason)  # config and `eraser hold add` holds
        the_plan = make_plan(session, subject, _day(request_date), hold_reason=hold)
        click.echo(json.dumps(the_plan.to_dict(), indent=2) if as_json else format_plan(the_plan, session.dialects))
        if not as_json and (slow := slow_scan_note(config, session.connectors)):
            click.echo(slow)
        if trace:
            from eraser.erasure import rehearse

            outcome, statements = rehearse(session, config, subject, _day(request_date) or date.today(), hold_reason)
            click.echo(f"\nRehearsal: verification {outcome.verification['result']}; everything was rolled back.")
            for name, templates in statements.items():
                click.echo(f"{name}: {len(templates)} statement(s)")
                for i, template in enumerate(templates, 1):
                    click.echo(f"  {i:3}. {template}")


@main.command()
@config_option
@subject_option
@request_date_option
@hold_option
@click.option("--yes", "-y", is_flag=True,
              help="Do not ask for confirmation; the plan printed is then the erasure's own, made in its "
                   "transaction (a subject erased before is planned first, to see whether anything remains).")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Directory of the certificate chain (default: `certificates:` of the config).")
@click.option("--ticket-ref", default=None, help="The request's reference (helpdesk ticket); generated if absent.")
@click.option("--operator", default=None, help="Who runs the erasure (default: the system user).")
def erase(config_path: Path, subjects: tuple[str, ...], request_date: datetime | None, hold_reason: str | None,
          yes: bool, out: Path | None, ticket_ref: str | None, operator: str | None) -> None:
    """Erase a data subject: plan, confirm, apply in one verified transaction per database, certify."""
    from eraser.cli.report import format_outcome, format_plan
    from eraser.config import load_config
    from eraser.engine.plan import Plan
    from eraser.erasure import erase_subject
    from eraser.proof.freetext import refuse_identifier
    from eraser.rights.suppression import already_erased
    from eraser.store.rights import SuppressionEntry
    from eraser.subjects import parse_subject
    from eraser.tickets import new_ticket

    refuse_identifier("--ticket-ref", ticket_ref)
    refuse_identifier("--operator", operator)
    config = load_config(config_path)
    subject = parse_subject(list(subjects), config)
    ticket = new_ticket(ticket_ref, request_date, operator)

    def show(the_plan: Plan, dialects: dict[str, str], earlier: SuppressionEntry | None) -> None:
        click.echo(format_plan(the_plan, dialects))
        if earlier is not None:
            click.echo(f"The subject was {already_erased(earlier)}.")
            if not any(the_plan.totals().values()):
                return
        if not yes:
            if not sys.stdin.isatty():
                raise EraserError("not on a terminal, so nothing was erased; add --yes to erase without a prompt.")
            click.confirm("Apply this plan?", abort=True)

    # Under --yes nothing is asked, so no plan is made before the erasure's own (eraser.erasure.erase_subject);
    # the plan printed is then the one the erasure ran and certified.
    done = erase_subject(config, subject, ticket, hold_reason=hold_reason, out=out, on_plan=show, plan_first=not yes)
    if not done.planned_first:
        click.echo(format_plan(done.plan, done.dialects))
    if done.issued is None or done.outcome is None:
        click.echo(f"Nothing remains: ticket {ticket.reference} recorded against certificate "
                   f"{done.recorded_against}; no new certificate.")
        return
    click.echo(format_outcome(done.outcome) + (f"\n{done.files}" if done.files else ""))
    click.echo(f"Certificate: {done.issued.path}")


# -- certificates and keys --------------------------------------------------------------------

@main.group()
def certificate() -> None:
    """Verify and render destruction certificates."""


@certificate.command("verify")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--public-key", "public_keys", multiple=True, type=click.Path(path_type=Path),
              help="Public key(s) (PEM) to check against (or --manifest with --root-key); keys beside the "
                   "certificate are never used unless named.")
@verify_options
def certificate_verify(file: Path, public_keys: tuple[Path, ...], checkpoint: Path | None, manifest: Path | None,
                       root_key: Path | None, partial: bool, pdf_cert: Path | None,
                       witness_keys: tuple[Path, ...]) -> None:
    """Check signature, key and the whole chain offline (and, if asked, the key manifest and the log). Exit 0 if
    valid, 1 with the reason if not. FILE may also be a certificate's signed PDF."""
    for line in verify_command(file, public_keys, checkpoint, manifest, root_key, pdf_cert, partial, witness_keys):
        click.echo(line)


@certificate.command("render")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), default="html", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Output file (default: FILE with .html, or .LANG.pdf).")
@click.option("--public-key", "public_keys", multiple=True, type=click.Path(path_type=Path))
@pdf_options
def certificate_render(file: Path, fmt: str, out: Path | None, public_keys: tuple[Path, ...], lang: str,
                       pdf_key: Path | None, pdf_cert: Path | None) -> None:
    """Write a human-readable copy of a certificate (its signature is checked first when a key is at hand)."""
    if fmt == "pdf":
        click.echo(f"Wrote {render_pdf_command(file, out, public_keys, lang, pdf_key, pdf_cert)}")
        return
    from eraser.proof.certificates import read_jws
    from eraser.proof.html_page import render_html

    result, checked = checked_for_rendering(file, public_keys)
    payload = result.payload if result is not None else read_jws(file)[1]
    target = out or file.with_name(file.name.removesuffix(".json").removesuffix(".cert") + ".html")
    try:
        target.write_text(render_html(payload, checked), encoding="utf-8")
    except OSError as exc:
        raise EraserError(f"cannot write {target}: {exc.strerror}.") from None
    click.echo(f"Wrote {target}")


@main.group()
def keys() -> None:
    """Signing keys."""


@keys.command("generate")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Directory for the key pair.")
@click.option("--name", default="eraser-signing", show_default=True)
def keys_generate(out: Path, name: str) -> None:
    """Write an Ed25519 key pair: NAME.pem (private, mode 0600) and NAME.pub.pem; and, if absent, the ECDSA P-256
    key and self-signed X.509 certificate that sign PDF renderings."""
    from eraser.proof.certificates import generate_keys
    from eraser.proof.pdf import generate_pdf_signing_key

    if out.exists() and not out.is_dir():
        raise EraserError(f"--out {out} is a file; give the directory for the key pair.")
    try:
        private, public, kid = generate_keys(out, name)
    except OSError as exc:
        raise EraserError(f"cannot write the key pair under {out}: {exc.strerror}.") from None
    click.echo(f"Private key: {private} (mode 0600, keep it secret)\nPublic key:  {public}\nKey id:      {kid}")
    if not (out / "eraser-pdf-signing.pem").exists():
        pdf_key, pdf_cert, fingerprint = generate_pdf_signing_key(out)
        click.echo(f"PDF key:     {pdf_key} (mode 0600)\nPDF cert:    {pdf_cert} (SHA-256 {fingerprint})")


# -- config -----------------------------------------------------------------------------------

@main.group("config")
def config_group() -> None:
    """Check configurations."""


@config_group.command("check")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--apply-indexes", is_flag=True,
              help="Create the indexes the warnings propose (identifier lookups, relations, search indexes), "
                   "one at a time; only when the config has no error.")
def config_check(file: Path, apply_indexes: bool) -> None:
    """Validate a config against the live schemas; report every problem, with the fix where there is one."""
    from eraser.checks import apply_indexes as apply
    from eraser.checks import check_config

    problems, summary = check_config(file)
    for problem in problems:
        click.echo(str(problem))
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    click.echo(f"{summary}: {errors} error(s), {warnings} warning(s).")
    if errors:
        if apply_indexes:
            click.echo("No index created: the config has errors.", err=True)
        sys.exit(2)
    if apply_indexes:
        ran = apply(file, problems, click.echo)
        click.echo(f"{ran} index statement(s) run." if ran else "No index to create.")


@main.command("subject-ref")
@config_option
@subject_option
def subject_ref(config_path: Path, subjects: tuple[str, ...]) -> None:
    """Print the keyed references of a subject, e.g. to name it in a `holds:` entry without its identifiers."""
    from eraser.config import load_config
    from eraser.subjects import identifier_references, parse_subject, subject_reference

    config = load_config(config_path)
    subject = parse_subject(list(subjects), config)
    click.echo(f"subject:    {subject_reference(subject, config.secret_bytes())}")
    kinds = [t for t in subject.types for _ in subject.identifiers[t]]
    for kind, ref in zip(kinds, identifier_references(subject, config.secret_bytes()), strict=True):
        click.echo(f"{kind + ':':11} {ref}")


# -- demo -------------------------------------------------------------------------------------

@main.command()
@click.option("--dir", "directory", type=click.Path(path_type=Path), default=Path("eraser-demo"), show_default=True,
              help="Where the demo puts its database, config, keys, certificates and logs.")
@click.option("--persons", default=1000, show_default=True, help="How many end-customers to generate.")
@click.option("--serve", "then_serve", is_flag=True,
              help="Then run the daemon on the demo, with two API tokens printed once (see the README's daemon "
                   "quick start).")
@click.option("--host", default="127.0.0.1", show_default=True, help="With --serve: the address to listen on.")
@click.option("--port", default=8080, show_default=True, type=int, help="With --serve: the port to listen on.")
def demo(directory: Path, persons: int, then_serve: bool, host: str, port: int) -> None:
    """Build the COVER GROUP demo database, erase one person, and verify the signed certificate."""
    from eraser.cli.report import format_outcome, format_plan
    from eraser.config import load_config
    from eraser.demo import DEMO_EMAIL, FOLLOW_UP_EMAIL, FOLLOW_UP_NAME, prepare
    from eraser.erasure import erase_subject
    from eraser.proof.certificates import verify
    from eraser.proof.html_page import render_html
    from eraser.subjects import parse_subject
    from eraser.tickets import new_ticket

    if persons < 10:
        raise EraserError("--persons must be at least 10.")
    click.echo(f"Building the demo under {directory}/ ({persons} persons, Faker nl_BE and fr_BE) ...")
    config_path = prepare(directory, persons)
    eraser_logging.configure(level="INFO", file=directory / "logs" / "eraser.log", stream=open("/dev/null", "w"))
    config = load_config(config_path)
    subject = parse_subject([f"email={DEMO_EMAIL}"], config)
    ticket = new_ticket(None, None, "eraser demo")
    click.echo(f"Config: {config_path}\n\nErasing the person with email {DEMO_EMAIL}.\n")
    done = erase_subject(config, subject, ticket,
                         on_plan=lambda the_plan, dialects, _: click.echo(format_plan(the_plan, dialects)))
    assert done.issued is not None and done.outcome is not None  # a fresh demo database: nobody erased before
    issued = done.issued
    click.echo(format_outcome(done.outcome) + (f"\n{done.files}" if done.files else ""))
    result = verify(issued.path, [p for p in [config.signing.public_key] if p])  # named by the config, not found
    html_path = issued.path.with_name(issued.path.name.removesuffix(".cert.json") + ".html")
    html_path.write_text(render_html(result.payload, f"valid, key {result.kid}"), encoding="utf-8")
    click.echo(f"Certificate: {issued.path}\n  verified: valid, key {result.kid}, chain position {result.sequence}\n"
               f"  readable copy: {html_path}\n  logs: {directory / 'logs' / 'eraser.log'}\n\n"
               f"{' '.join(FOLLOW_UP_NAME)} is still there; try: eraser plan --config {config_path} "
               f"--subject email={FOLLOW_UP_EMAIL}")
    if then_serve:
        from eraser.cli.daemon import serve_demo

        serve_demo(config_path, host, port)


def _register_commands() -> None:
    from eraser.cli import daemon as cli_daemon
    from eraser.cli import discover as cli_discover
    from eraser.cli import help as cli_help
    from eraser.cli import proof as cli_proof
    from eraser.cli import purge as cli_purge
    from eraser.cli import rights as cli_rights

    for module in (cli_daemon, cli_rights, cli_purge):
        for command in module.COMMANDS:
            main.add_command(command)
    cli_proof.register(main)
    cli_discover.register(main)
    cli_help.whole_summaries(main)


_register_commands()
