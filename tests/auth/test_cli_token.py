"""``siir token``: a token for any role, signed by the embedded default's key, that the
services' default verifier (the same key, read from the data folder) accepts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from siir.auth.tokens import verifier_from_settings
from siir.settings import PROJECT_ROOT, Settings


def siir_token(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIIR_AUTH_")}
    return subprocess.run([sys.executable, "-m", "siirctl", "token", *args], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, env={**env, "SIIR_DATA_DIR": str(data_dir)}, timeout=60)


@pytest.mark.parametrize("args,role,region,partner", [
    (["--role", "DISTRICT_OFFICER", "--region", "33.74", "--sub", "someone"], "DISTRICT_OFFICER", "33.74", None),
    (["--role", "PARTNER", "--partner", "900003", "--sub", "bank"], "PARTNER", None, "900003"),
])
def test_siir_token_prints_a_token_the_embedded_default_accepts(tmp_path: Path, args: list[str], role: str,
                                                                region: str | None, partner: str | None) -> None:
    done = siir_token(tmp_path, *args, "--lifetime", "600")
    assert done.returncode == 0, done.stderr
    identity = verifier_from_settings(Settings(data_dir=tmp_path)).verify(done.stdout.strip())
    assert (identity.role, identity.region, identity.partner) == (role, region, partner)
    assert 590 <= identity.expires_at - int(__import__("time").time()) <= 600


def test_siir_token_refuses_claims_no_service_would_accept(tmp_path: Path) -> None:
    done = siir_token(tmp_path, "--role", "PROVINCE_OFFICER", "--region", "33.74", "--sub", "x")
    assert done.returncode != 0 and done.stdout == ""
    assert "PROVINCE_OFFICER needs a region claim of its level" in done.stderr
