"""Every error a user can cause, each carrying one sentence that says what and where."""


class EraserError(Exception):
    """Base of all errors the CLI turns into one sentence and a non-zero exit."""

    exit_code = 1


class ConfigError(EraserError):
    """The configuration file is invalid or does not match the live schema."""

    exit_code = 2


class SubjectError(EraserError):
    """A ticket's subject is malformed or uses an identifier type the config does not define."""

    exit_code = 2


class ConnectError(EraserError):
    """A configured database cannot be reached."""

    exit_code = 3


class VerificationError(EraserError):
    """An erasure did not verify inside its transaction and was rolled back."""

    exit_code = 4


class PlanChangedError(EraserError):
    """The data changed between planning and execution."""

    exit_code = 4


class CertificateError(EraserError):
    """A certificate is malformed, does not verify, or its key is missing."""

    exit_code = 1
