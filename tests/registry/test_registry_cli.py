"""The registry commands end to end, against an in-process registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _registry_world import World, make_world
from click.testing import CliRunner

from redline._cli.main import cli


@pytest.fixture
def cli_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with make_world(f"sqlite:///{tmp_path / 'registry.db'}") as world:
        # The commands open their own client, to the live server.
        monkeypatch.setenv("REDLINE_REGISTRY_URL", world.url)
        yield world


def run(*args: str, token: str | None = None, ok: bool = True):
    env = {"REDLINE_REGISTRY_TOKEN": token} if token else {}
    result = CliRunner().invoke(cli, list(args), env=env)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def test_operator_commands(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    run("keys", "generate", "--name", "ops", "--dir", str(tmp_path))
    added = run(
        "registry", "add-institute", "aisi-x", "--name", "X", "--database", url,
        "--public-key", str(tmp_path / "ops.pub"),
    )  # fmt: skip
    token = added.stdout.strip().splitlines()[-1]
    assert token.startswith("rl_")
    listing = run("registry", "institutes", "--database", url)
    assert listing.stdout.strip() == "aisi-x\tX"
    again = run("registry", "add-institute", "aisi-x", "--database", url, ok=False)
    assert again.exit_code == 2
    assert "exists" in again.output
    assert run("registry", "new-token", "aisi-x", "--database", url).stdout.startswith(
        "rl_"
    )
    assert "revision 0005" in run("registry", "migrate", "--database", url).stdout


def test_publish_pull_and_exercise(cli_world: World, tmp_path: Path, golden) -> None:
    report = tmp_path / "report.json"
    report.write_text(json.dumps(golden))
    token_a, token_b = cli_world.tokens["aisi-a"], cli_world.tokens["aisi-b"]
    key = tmp_path / "a.key"
    key.write_bytes(cli_world.keys["aisi-a"].to_pem())

    published = run(
        "publish", str(report), "--scope", "partners", "--partner", "aisi-b",
        "--key", str(key), token=token_a,
    )  # fmt: skip
    report_id = published.stdout.split()[1]
    assert published.stdout.startswith(f"Published {report_id} (partners)")
    again = run("publish", str(report), "--scope", "partners", "--partner", "aisi-b",
                "--key", str(key), token=token_a)  # fmt: skip
    assert again.stdout.startswith(f"Already published {report_id}")

    out = tmp_path / "pulled.json"
    pulled = run("pull", report_id, "-o", str(out), token=token_b)
    assert "signature OK" in pulled.stdout
    assert run("report", "verify", str(out)).exit_code == 0
    refused = run("pull", report_id, token=cli_world.tokens["aisi-c"], ok=False)
    assert refused.exit_code == 2  # a refusal is bad input
    assert "404" in refused.output

    created = run(
        "exercise", "create", "--title", "T", "--model", "redline/local",
        "--framework", "redline-reference", "--suite", "misuse_refusal",
        "--participant", "aisi-b", token=token_a,
    )  # fmt: skip
    exercise_id = created.stdout.split(":")[0]
    run("exercise", "submit", exercise_id, report_id, token=token_a)
    status = run("exercise", "status", exercise_id, token=token_b)
    assert f"aisi-a: submitted {report_id}" in status.stdout
    assert "aisi-b: not yet submitted" in status.stdout
    compared = run("exercise", "compare", exercise_id, token=token_b)
    assert "needs at least two" in compared.stdout
    as_json = json.loads(
        run("exercise", "compare", exercise_id, "--json", token=token_b).stdout
    )
    assert as_json["missing"] == ["aisi-b"]


def test_keys_register(cli_world: World, tmp_path: Path) -> None:
    run("keys", "generate", "--name", "new", "--dir", str(tmp_path))
    token = cli_world.tokens["aisi-c"]
    result = run("keys", "register", str(tmp_path / "new.key"), token=token)
    assert result.stdout.startswith("Registered ed25519:")
    with cli_world.client("aisi-c") as client:
        assert len(client.me().keys) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("publish", "{report}", "--registry", "registry.test"), "expected http"),
        (("publish", "{report}", "--scope", "partners"), "at least one partner"),
        (("publish", "{garbage}"), "not valid JSON"),
        (("publish", "{report}", "--key", "{report}"), "not a PEM private key"),
        (("publish", "{report}", "--key", "{missing}"), "cannot read key file"),
        (("exercise", "create", "--title", "T", "--model", "m", "--framework", "f",
          "--suite", "s", "--participant", "Not Valid"), "exercise:"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(
    cli_world: World, tmp_path: Path, golden, args: tuple[str, ...], message: str
) -> None:
    files = {
        "report": tmp_path / "report.json",
        "garbage": tmp_path / "garbage.json",
        "missing": tmp_path / "missing.key",
    }
    files["report"].write_text(json.dumps(golden))
    files["garbage"].write_text("{oops")
    argv = [a.format(**{k: str(v) for k, v in files.items()}) for a in args]
    result = run(*argv, token=cli_world.tokens["aisi-a"], ok=False)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) <= 2


def test_registry_refusal_is_one_line_and_exit_2(
    cli_world: World, tmp_path: Path, golden
) -> None:
    report = tmp_path / "signed.json"
    report.write_text(json.dumps(cli_world.sign("aisi-b", golden)))
    result = run("publish", str(report), token=cli_world.tokens["aisi-a"], ok=False)
    assert result.exit_code == 2
    assert "422" in result.output
    assert "not registered" in result.output


def test_the_token_comes_from_a_file_and_a_flag_warns(
    cli_world: World, tmp_path: Path
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(cli_world.tokens["aisi-c"] + "\n")
    run("keys", "generate", "--name", "filed", "--dir", str(tmp_path))
    key = str(tmp_path / "filed.key")
    by_file = run("keys", "register", key, "--token-file", str(token_file))
    assert by_file.stdout.startswith("Registered ed25519:")
    assert "warning" not in by_file.output
    flagged = run(
        "exercise", "create", "--title", "T", "--model", "m", "--framework", "f",
        "--suite", "s", "--participant", "aisi-a",
        "--token", cli_world.tokens["aisi-c"],
    )  # fmt: skip
    assert "shows in ps and shell history" in flagged.stderr
    empty = tmp_path / "empty"
    empty.write_text("\n")
    refused = run("keys", "register", key, "--token-file", str(empty), ok=False)
    assert refused.exit_code == 2
    assert "token file is empty" in refused.output


def test_a_token_is_not_sent_over_plain_http_to_another_host(
    cli_world: World, tmp_path: Path
) -> None:
    run("keys", "generate", "--name", "far", "--dir", str(tmp_path))
    key = str(tmp_path / "far.key")
    far = "http://192.0.2.1:8765"  # TEST-NET-1: nothing answers there
    refused = run(
        "keys", "register", key, "--registry", far,
        token=cli_world.tokens["aisi-a"], ok=False,
    )  # fmt: skip
    assert refused.exit_code == 2
    assert "refusing to send an API token over plain http" in refused.output
    # With --insecure the client tries (and, here, finds nobody).
    tried = run(
        "keys", "register", key, "--registry", far, "--insecure",
        token=cli_world.tokens["aisi-a"], ok=False,
    )  # fmt: skip
    assert "plain http" not in tried.output


def test_operator_lists_and_revokes_one_token(cli_world: World, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    first = run("registry", "add-institute", "aisi-x", "--database", url)
    first_token = first.stdout.strip().splitlines()[-1]
    second = run(
        "registry", "new-token", "aisi-x", "--scope", "reports:read", "--database", url
    ).stdout.strip()
    listed = run("registry", "tokens", "aisi-x", "--database", url).stdout
    rows = [line.split("\t") for line in listed.strip().splitlines()]
    assert [r[0] for r in rows] == [first_token.split("_")[1], second.split("_")[1]]
    assert "incidents:edit" not in rows[0][1]
    assert rows[1][1] == "reports:read"
    assert first_token not in listed
    assert second not in listed
    run("registry", "revoke-token", rows[0][0], "--database", url)
    after = run("registry", "tokens", "aisi-x", "--database", url).stdout
    states = [line.split("\t")[-1] for line in after.strip().splitlines()]
    assert states[0].startswith("revoked")
    assert states[1] == "active"
