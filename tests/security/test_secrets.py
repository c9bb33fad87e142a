"""Issue 9 §5 "no secret in the repository". Reads every text file of the checkout that is not ignored (a
superset of the tracked files: the scan walks the tree rather than asking git, so untracked files are checked
too) for private keys, cloud access keys, Django secret keys and passwords written into code or configuration.
The documented development defaults are allowed: the demo accounts' password (README), docker-compose's local
PostgreSQL password, the Dockerfile's build-only key. Test files may hold made-up passwords; no file may hold a
key."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IGNORED_DIRS = {".git", ".venv", "node_modules", "var", "staticfiles", "media", "test-artifacts", "__pycache__",
                ".pytest_cache", ".ruff_cache"}  # fmt: skip  # .gitignore, plus tools' caches
ALLOWED_VALUES = {"betterwork", "betterwork-demo", "build-only"}  # documented development defaults
ALLOWED_VALUES |= {"pass", "password", "secret"}  # placeholders in documentation (`smtp+tls://user:pass@host`)

KEYS = {
    "private key": re.compile(r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----"),
    "AWS access key id": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "AWS secret access key": re.compile(r"(?i)aws_secret_access_key\s*[=:]\s*\S{20,}"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"),
    "Django generated secret key": re.compile(r"django-insecure-[^\s'\"]{20,}"),
}
ASSIGNED = re.compile(
    r"""(?ix)\b(?:password|passwd|pwd|secret_key|secret|api_key|apikey|access_key|auth_token)\b["']?\s*[:=]\s*
    (?:["'](?P<quoted>[^"'\s]{4,})["']|(?P<bare>[^\s"'#,}{$()\[\]]{4,})\s*$)""",
    re.MULTILINE,
)
CREDENTIALS_IN_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:(?P<password>[^@\s/'\"]{3,})@")


def _files():
    for path in sorted(ROOT.rglob("*")):
        relative = path.relative_to(ROOT)
        if any(part in IGNORED_DIRS or part.endswith(".egg-info") for part in relative.parts):
            continue
        if not path.is_file() or path.suffix in (".mo", ".sqlite3", ".pyc"):
            continue
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary: fonts, images
        yield relative, data.decode("utf-8", "replace")


FILES = list(_files())


def test_the_scan_reads_the_code_and_the_configuration():
    names = {str(name) for name, _text in FILES}
    assert {"betterwork/settings/base.py", "docker-compose.yml", "Dockerfile", "pyproject.toml"} <= names
    assert len(FILES) > 200


def test_no_key_anywhere():
    found = [(str(name), what) for name, text in FILES for what, pattern in KEYS.items() if pattern.search(text)]
    assert found == []


def test_no_password_or_secret_in_code_or_configuration():
    found = []
    for name, text in FILES:
        if name.parts[0] == "tests":
            continue  # made-up credentials for test users
        for match in ASSIGNED.finditer(text):
            value = match["quoted"] or match["bare"]
            if value not in ALLOWED_VALUES and not _reads_the_environment(value):
                found.append((str(name), match.group(0).strip()[:80]))
        for match in CREDENTIALS_IN_URL.finditer(text):
            if match["password"] not in ALLOWED_VALUES and not match["password"].startswith("$"):
                found.append((str(name), match.group(0)[:80]))
    assert found == []


def _reads_the_environment(value: str) -> bool:
    """`SECRET_KEY: ${SECRET_KEY:?...}`, `env.str("SECRET_KEY")`, a variable name: not a literal secret."""
    return value.startswith(("$", "env", "os.", "{", "<")) or (value.isidentifier() and value.isupper())


def test_the_scanner_finds_what_it_looks_for():
    """The patterns match real-looking secrets (else the tests above prove nothing)."""
    begin = "-----BEGIN " + "RSA PRIVATE KEY-----"
    assert KEYS["private key"].search(begin)
    assert KEYS["AWS access key id"].search("key = AKIA" + "ABCDEFGHIJKLMNOP")
    assert ASSIGNED.search('PASSWORD = "hunter2-but-longer"')
    assert ASSIGNED.search("password: s3cr3t-value\n")
    assert CREDENTIALS_IN_URL.search("postgres://app:" + "Zx9-secret@db:5432/app")
