"""Settings come from the environment; production refuses to guess its secrets."""

import os
import subprocess
import sys


def _load_settings(env: dict, tmp_path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REMIT_")}
    clean.update({"REMIT_DATA_DIR": str(tmp_path)}, **env)
    return subprocess.run([sys.executable, "-c", "import remit.settings as s; print(s.SECRET_KEY)"],
                          env=clean, capture_output=True, text=True)


def test_the_embedded_default_generates_and_keeps_a_secret_key(tmp_path):
    first = _load_settings({}, tmp_path)
    second = _load_settings({}, tmp_path)
    assert first.returncode == 0 and first.stdout == second.stdout and len(first.stdout) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_requires_a_secret_key_and_a_database_url(tmp_path):
    no_key = _load_settings({"REMIT_ENV": "production",
                             "REMIT_DATABASE_URL": "postgres://u@localhost/x"}, tmp_path)
    assert no_key.returncode != 0 and "REMIT_SECRET_KEY is required" in no_key.stderr
    no_db = _load_settings({"REMIT_ENV": "production", "REMIT_SECRET_KEY": "s" * 50}, tmp_path)
    assert no_db.returncode != 0 and "REMIT_DATABASE_URL is required" in no_db.stderr
    ok = _load_settings({"REMIT_ENV": "production", "REMIT_SECRET_KEY": "s" * 50,
                         "REMIT_DATABASE_URL": "postgres://u@localhost/x"}, tmp_path)
    assert ok.returncode == 0 and not (tmp_path / "secret_key").exists()


def test_an_unsupported_database_is_refused(tmp_path):
    result = _load_settings({"REMIT_DATABASE_URL": "mysql://root@localhost/x"}, tmp_path)
    assert result.returncode != 0 and "sqlite:// or postgres://" in result.stderr
