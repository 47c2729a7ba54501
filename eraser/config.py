"""Load and validate a controller's configuration (YAML, pydantic), with ${ENV} references for secrets."""

from __future__ import annotations

import difflib
import os
import re
from datetime import date
from pathlib import Path
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import (
    BaseModel,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from eraser.errors import ConfigError
from eraser.table_rules import (
    Period,
    Recipient,
    ResidualScan,
    RetainPreset,
    TableRule,
    _Model,
    parse_period,
    suggest,
)

ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def undecided_tables(config: Config) -> list[str]:
    """`connector.table` of every table the config marks `action: review` (a discovery draft not yet decided),
    in the table's action or in one of its row rules."""
    return [f"{name}.{table}" for name, c in config.connectors.items()
            for table, rule in c.tables.items()
            if rule.action == "review" or any(r.action == "review" for r in rule.rules)]


class ConnectorConfig(_Model):
    url: str
    schema_: str | None = Field(default=None, alias="schema")
    tables: dict[str, TableRule]
    residual_scan: ResidualScan = ResidualScan()


class IdentifierType(_Model):
    kind: Literal["email", "phone", "exact", "ip", "name"]  # a name only narrows the free-text search
    region: str | list[str] = "BE"  # where a number without country code is read; several regions allowed
    country_column: str | None = None  # a column that, in tables that have it, gives the row's country
    pattern: str | None = None  # a regular expression every value of an exact identifier must match whole
    max_rows: int = Field(default=100, ge=1)  # more rows of one table than this: too common to name one person

    @property
    def regions(self) -> tuple[str, ...]:
        return (self.region,) if isinstance(self.region, str) else tuple(self.region)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"pattern is not a regular expression ({exc})") from None
        return value


class SigningConfig(_Model):
    private_key: Path
    public_key: Path | None = None
    jws_alg: Literal["Ed25519", "EdDSA"] = "Ed25519"  # EdDSA for JOSE verifiers without RFC 9864's name


class BackupsConfig(_Model):
    retention: Period = "30d"
    description: str = "database backups"


class Hold(_Model):
    """A legal hold on a subject, named by its keyed hash so the config holds no identifier."""

    subject: str
    reason: str
    until: date | None = None
    preset: Literal["legal_claims"] | None = None
    since: date | None = None

    @model_validator(mode="before")
    @classmethod
    def _legal_claims(cls, value: Any, info: ValidationInfo) -> Any:
        """`preset: legal_claims`: the jurisdiction's basis as reason, and a review date (`until`), given or
        counted from `since` (when the claim arose); a legal-claims hold is never open-ended."""
        if not isinstance(value, dict) or value.get("preset") != "legal_claims":
            return value
        from dateutil.relativedelta import relativedelta

        from eraser.jurisdictions import legal_claims

        claims = legal_claims((info.context or {}).get("jurisdiction"))
        value = {"reason": claims["basis"], **value}
        if value.get("until") is None:
            if value.get("since") is None:
                raise ValueError("a hold with 'preset: legal_claims' needs 'until:' (its review date) or 'since:' "
                                 "(when the claim arose); legal-claims holds are never open-ended")
            since = value["since"] if isinstance(value["since"], date) else date.fromisoformat(str(value["since"]))
            amount, _ = parse_period(claims["period"])
            value["until"] = since + relativedelta(years=amount)
        return value


ApiRole = Literal["submit", "approve", "hold", "read", "admin"]


class ApiToken(_Model):
    """A bearer token of the intake API, stored as its SHA-256 (hex): the token itself is never in the config.

    Without `roles:` a token may only submit tickets and read its own (least privilege for older configs)."""

    name: str = Field(min_length=1, max_length=120, pattern=r"^[^\x00-\x1f\x7f]+$")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    roles: list[ApiRole] = Field(default=["submit"], min_length=1)


class RateLimit(_Model):
    """Per token: a bucket of `burst` requests refilled at `per_minute`."""

    per_minute: int = Field(default=120, ge=1)
    burst: int = Field(default=30, ge=1)


class ApiConfig(_Model):
    tokens: list[ApiToken] = []
    max_body_bytes: int = 1_000_000
    rate_limit: RateLimit = RateLimit()

    @model_validator(mode="after")
    def _unique_names(self) -> ApiConfig:
        for attribute in ("name", "sha256"):
            values = [getattr(t, attribute) for t in self.tokens]
            if len(values) != len(set(values)):  # four eyes and ownership tell tokens apart
                raise ValueError(f"two API tokens have the same {attribute}; each token needs its own")
        return self


class Contract(_Model):
    """The end of a customer's (tenant's) contract: its data is destroyed, or returned and then destroyed."""

    tenant: str
    ends_on: date
    action: Literal["destroy", "return_and_destroy"] = "destroy"
    grace: Period = "0d"


class TenantsConfig(_Model):
    """Where a multi-tenant database keeps its tenants (`table`, and the `key` column a purge names them by)."""

    table: str
    key: str
    batch_size: int = Field(default=50_000, ge=1)
    mode: Literal["delete", "anonymize"] = "delete"


class DaemonConfig(_Model):
    poll_seconds: float = 1.0
    lease_seconds: int = 30  # a claim not renewed by its heartbeat for this long is taken over
    sweep_at: str = "02:30"
    warnings_at: str = "07:00"


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
    jurisdiction: Literal["BE", "NL", "FR", "DE", "LU"] | None = None
    retention_presets: dict[str, RetainPreset] = {}
    state: str | None = None
    approval: Literal["auto", "required"] = "auto"
    api: ApiConfig = ApiConfig()
    contracts: list[Contract] = []
    tenants: TenantsConfig | None = None
    recipients: dict[str, Recipient] = {}
    exports: Path = Path("exports")
    daemon: DaemonConfig = DaemonConfig()
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
        data = _parse(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context, start = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and start and mark and start.line != mark.line:
            # YAML notices an unclosed quote or bracket lines later: say where it opened.
            problem += f", {context} that starts on line {start.line + 1}"
        raise ConfigError(f"{path}{where}: invalid YAML ({problem}).") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the config must be a YAML mapping with organisation, signing, identifiers and connectors.")
    data = _substitute_env(data, (), path, text)
    try:
        config = Config.model_validate(data, context={  # for `preset:` in retain blocks and holds
            "jurisdiction": data.get("jurisdiction"),
            "retention_presets": data["retention_presets"] if isinstance(data.get("retention_presets"), dict) else None})
    except ValidationError as exc:
        raise ConfigError(_validation_message(exc, path, yaml.compose(text, Loader=_LOADER))) from None
    return _resolve_paths(config, path)


_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml where PyYAML has it: ~10x faster


def _parse(text: str) -> Any:
    """The YAML document; its nodes (for line numbers) are composed only when a problem is reported. A document
    libyaml refuses is parsed again by PyYAML's own parser, whose message says more."""
    try:
        return yaml.load(text, Loader=_LOADER)  # a safe loader (CSafeLoader or SafeLoader)
    except yaml.YAMLError:
        if _LOADER is yaml.SafeLoader:
            raise
        return yaml.safe_load(text)


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The config model that holds the keys at `loc` (e.g. TableRule for connectors.x.tables.y)."""
    current: Any = Config
    for key in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = [f for n, f in current.model_fields.items() if key in (n, f.alias)]
            if not fields:
                return None
            current = fields[0].annotation
        elif get_origin(current) in (dict, list):
            current = get_args(current)[-1]
        else:
            return None
        if get_origin(current) in (Union, UnionType):  # `X | None`
            current = next((a for a in get_args(current) if a is not type(None)), None)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _keys_of(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return [f.alias or n for n, f in model.model_fields.items() if not (model is Config and n == "path")]


def _validation_message(exc: ValidationError, path: Path, node: yaml.Node | None) -> str:
    """The first problem in file order as one sentence with file, line and field; a typo'd key names the key
    it resembles. Pydantic's input values are never quoted: after ${ENV} substitution they may be secrets."""
    problems: list[tuple[int, bool, tuple[Any, ...], str]] = []
    misspelt: set[tuple[Any, ...]] = set()
    for err in exc.errors():
        loc = tuple(x for x in err["loc"] if not (isinstance(x, str) and x.startswith("function-")))
        if err["type"] == "extra_forbidden":
            options = _keys_of(_model_at(loc[:-1]))
            misspelt |= {(*loc[:-1], k) for k in difflib.get_close_matches(str(loc[-1]), options, n=1)}
            msg = f"unknown key{suggest(str(loc[-1]), options)}"
        elif err["type"] == "missing":
            msg = "required key is missing"
        else:
            msg = err["msg"].removeprefix("Value error, ")
        problems.append((line_of(node, loc) or 0, err["type"] != "extra_forbidden", loc, msg))
    # A misspelt required key also shows up as that key missing: one problem, counted once.
    problems = [p for p in problems if not (p[3] == "required key is missing" and p[2] in misspelt)]
    line, _, loc, msg = min(problems, key=lambda p: p[:2])
    field = ".".join(str(x) for x in loc) or "(top level)"
    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    return f"{path}{f' line {line}' if line else ''}: {field}: {msg}{more}."


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


def _substitute_env(value: Any, loc: tuple[Any, ...], path: Path, text: str) -> Any:
    if isinstance(value, dict):
        return {k: _substitute_env(v, (*loc, k), path, text) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute_env(v, (*loc, i), path, text) for i, v in enumerate(value)]
    if isinstance(value, str) and "${" in value:
        def env(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in os.environ:
                line = line_of(yaml.compose(text, Loader=_LOADER), loc)
                raise ConfigError(f"{path} line {line}: {'.'.join(map(str, loc))} refers to "
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
    state = config.state or f"sqlite:///{base / 'eraser-state.db'}"
    if "://" not in state:  # a file path (state: ../eraser-state.db): a SQLite store there
        state = f"sqlite:///{Path(state) if Path(state).is_absolute() else base / state}"
    if state.startswith("sqlite:///") and not state.startswith("sqlite:////"):
        state = "sqlite:///" + str(base / state.removeprefix("sqlite:///"))
    return config.model_copy(update={
        "connectors": connectors, "signing": signing, "certificates": rel(config.certificates), "state": state,
        "secret_file": rel(config.secret_file), "path": path})
