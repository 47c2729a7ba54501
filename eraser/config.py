"""Load and validate a controller's configuration (YAML, pydantic), with ${ENV} references for secrets."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from eraser.errors import ConfigError

ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
PERIOD = re.compile(r"^(\d+)\s*([ymwd])$")
STRATEGY_KINDS = ("faker", "null", "redact", "hash", "generalize", "keep")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Strategy(_Model):
    """How one column of a kept row is made anonymous."""

    kind: Literal["faker", "null", "redact", "hash", "generalize", "keep"]
    arg: str | None = None

    @classmethod
    def parse(cls, value: Any) -> Strategy:
        if isinstance(value, Strategy):
            return value
        if value is None:  # YAML's bare `null`
            return cls(kind="null")
        if isinstance(value, dict) and len(value) == 1:
            ((kind, arg),) = value.items()
            return cls(kind=kind, arg=None if arg is None else str(arg))
        if isinstance(value, str):
            kind, _, arg = value.partition(":")
            return cls(kind=kind.strip(), arg=arg.strip() or None)  # type: ignore[arg-type]
        raise ValueError(f"a strategy is a string such as 'faker:first_name' or 'null', not {value!r}")

    @model_validator(mode="after")
    def _needs_arg(self) -> Strategy:
        if self.kind in ("faker", "generalize") and not self.arg:
            raise ValueError(f"strategy '{self.kind}' needs an argument, e.g. '{self.kind}:" +
                             ("first_name'" if self.kind == "faker" else "year'"))
        return self

    def __str__(self) -> str:
        return f"{self.kind}:{self.arg}" if self.arg else self.kind


def parse_period(text: str) -> tuple[int, str]:
    """'7y' -> (7, 'y'). Units: y(ears), m(onths), w(eeks), d(ays)."""
    match = PERIOD.match(text.strip())
    if not match:
        raise ValueError(f"period {text!r} is not a number followed by y, m, w or d (e.g. 7y, 30d)")
    return int(match.group(1)), match.group(2)


class RetainRule(_Model):
    """Why rows are kept, for how long, and counted from when."""

    basis: str = Field(min_length=10)
    period: str
    from_: str = Field(alias="from")
    count_from: Literal["date", "next_year"] = "date"
    then: Literal["delete", "anonymize"] = "delete"

    @field_validator("period")
    @classmethod
    def _period(cls, value: str) -> str:
        parse_period(value)
        return value


class Link(_Model):
    """A relation the schema does not declare: this table's column refers to another table's column."""

    column: str
    references: str

    @field_validator("references")
    @classmethod
    def _dotted(cls, value: str) -> str:
        if value.count(".") != 1:
            raise ValueError(f"references {value!r} must be 'table.column'")
        return value

    @property
    def table(self) -> str:
        return self.references.split(".")[0]

    @property
    def target_column(self) -> str:
        return self.references.split(".")[1]


class TableRule(_Model):
    """What happens to a subject's rows in one table."""

    action: Literal["delete", "anonymize", "retain"]
    identify: dict[str, list[str]] = {}
    columns: dict[str, Strategy] = {}
    retain: RetainRule | None = None
    minimize: dict[str, Strategy] = {}
    owns: list[str] = []
    links: list[Link] = []
    not_followed: list[str] = []
    recipients: list[str] = []
    category: str | None = None

    @field_validator("identify", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: [v] if isinstance(v, str) else v for k, v in value.items()}
        return value

    @field_validator("columns", "minimize", mode="before")
    @classmethod
    def _strategies(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: Strategy.parse(v) for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _consistent(self) -> TableRule:
        if self.action == "retain" and self.retain is None:
            raise ValueError("action 'retain' needs a 'retain:' block with basis, period and from")
        if self.action != "retain" and self.retain is not None:
            raise ValueError(f"a 'retain:' block only goes with action 'retain', not '{self.action}'")
        if self.action == "anonymize" and not self.columns:
            raise ValueError("action 'anonymize' needs 'columns:' saying how each personal column is replaced")
        if self.minimize and self.action != "retain":
            raise ValueError("'minimize:' only applies to retained rows (action 'retain')")
        return self


class ConnectorConfig(_Model):
    url: str
    schema_: str | None = Field(default=None, alias="schema")
    tables: dict[str, TableRule]


class IdentifierType(_Model):
    kind: Literal["email", "phone", "exact"]
    region: str = "BE"


class SigningConfig(_Model):
    private_key: Path
    public_key: Path | None = None


class BackupsConfig(_Model):
    retention: str = "30d"
    description: str = "database backups"

    @field_validator("retention")
    @classmethod
    def _period(cls, value: str) -> str:
        parse_period(value)
        return value


class Hold(_Model):
    """A legal hold on a subject, named by its keyed hash so the config holds no identifier."""

    subject: str
    reason: str
    until: date | None = None


class Config(_Model):
    organisation: str
    role: Literal["controller", "processor"] = "controller"
    controller: str | None = None
    locale: list[str] = ["nl_BE", "fr_BE"]
    legal_ground: str = "GDPR Art. 17(1): request for erasure by the data subject"
    secret: str | None = None
    secret_file: Path | None = None
    signing: SigningConfig
    certificates: Path = Path("certificates")
    backups: BackupsConfig = BackupsConfig()
    identifiers: dict[str, IdentifierType]
    connectors: dict[str, ConnectorConfig]
    holds: list[Hold] = []
    path: Path | None = None

    @field_validator("locale", mode="before")
    @classmethod
    def _locale_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _secret_given(self) -> Config:
        if not self.secret and not self.secret_file:
            raise ValueError("give 'secret' (e.g. ${ERASER_SECRET}) or 'secret_file' for keyed hashes")
        return self

    @property
    def controller_name(self) -> str:
        return self.controller or self.organisation

    def secret_bytes(self) -> bytes:
        if self.secret:
            return self.secret.encode()
        assert self.secret_file is not None
        try:
            return self.secret_file.read_bytes().strip()
        except OSError as exc:
            raise ConfigError(f"{self.path}: cannot read secret_file {self.secret_file} ({exc.strerror}).") from None


def load_config(path: str | Path) -> Config:
    """Read, substitute ${ENV} references, validate; every problem is one sentence with file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror}.") from None
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}{where}: invalid YAML ({problem}).") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the config must be a YAML mapping with organisation, signing, identifiers and connectors.")
    data = _substitute_env(data, (), path, node)
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(x for x in err["loc"] if not (isinstance(x, str) and x.startswith("function-")))
        field = ".".join(str(x) for x in loc) or "(top level)"
        line = line_of(node, loc)
        more = f" (and {exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""
        msg = err["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{path}{f' line {line}' if line else ''}: {field}: {msg}{more}.") from None
    return _resolve_paths(config, path)


def line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the YAML node at a pydantic location, or of its nearest existing parent."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = [(k, v) for k, v in node.value if k.value == str(key)]
            if not match:
                break
            node = match[0][0] if key == loc[-1] else match[0][1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
        line = node.start_mark.line + 1
    return line


def _substitute_env(value: Any, loc: tuple[Any, ...], path: Path, node: yaml.Node) -> Any:
    if isinstance(value, dict):
        return {k: _substitute_env(v, (*loc, k), path, node) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute_env(v, (*loc, i), path, node) for i, v in enumerate(value)]
    if isinstance(value, str) and "${" in value:
        def env(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in os.environ:
                raise ConfigError(f"{path} line {line_of(node, loc)}: {'.'.join(map(str, loc))} refers to "
                                  f"environment variable {name}, which is not set.")
            return os.environ[name]
        return ENV_REF.sub(env, value)
    return value


def _resolve_paths(config: Config, path: Path) -> Config:
    """Relative file paths and SQLite files are relative to the config file, so it runs from anywhere."""
    base = path.resolve().parent

    def rel(p: Path | None) -> Path | None:
        return None if p is None else (p if p.is_absolute() else base / p)

    connectors = {}
    for name, conn in config.connectors.items():
        url = conn.url
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////") and url != "sqlite:///:memory:":
            url = "sqlite:///" + str(base / url.removeprefix("sqlite:///"))
        connectors[name] = conn.model_copy(update={"url": url})
    signing = config.signing.model_copy(update={
        "private_key": rel(config.signing.private_key), "public_key": rel(config.signing.public_key)})
    return config.model_copy(update={
        "connectors": connectors, "signing": signing, "certificates": rel(config.certificates),
        "secret_file": rel(config.secret_file), "path": path})
