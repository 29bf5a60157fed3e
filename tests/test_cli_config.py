"""Defaults from redline.toml / [tool.redline], and the option errors around them.

Every case here fails or succeeds before a model is asked anything, so they run
in-process and fast; the runs that do use a model are in test_assess_options.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from helpers.llama_server import free_port
from redline._cli.common import EXIT_BAD_INPUT, EXIT_REGISTRY_UNREACHABLE
from redline._cli.main import cli


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REDLINE_REGISTRY_URL", raising=False)
    monkeypatch.delenv("REDLINE_CONFIG", raising=False)
    return tmp_path


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def _one_line_error(result: Result, code: int, *fragments: str) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    message = " ".join(result.output.split())
    for fragment in fragments:
        assert fragment in message, message


def test_the_registry_url_comes_from_redline_toml_and_no_answer_has_its_own_code(
    folder: Path,
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    (folder / "redline.toml").write_text(f'registry = "{url}"\n')
    result = _run("pull", "some-report")
    _one_line_error(
        result, EXIT_REGISTRY_UNREACHABLE, f"cannot reach the registry at {url}"
    )


def test_tool_redline_in_pyproject_works_too(folder: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    (folder / "pyproject.toml").write_text(
        f'[project]\nname = "x"\n\n[tool.redline]\nregistry = "{url}"\n'
    )
    _one_line_error(_run("pull", "r"), EXIT_REGISTRY_UNREACHABLE, url)


def test_an_explicit_flag_beats_the_config_file(folder: Path) -> None:
    (folder / "redline.toml").write_text('registry = "http://127.0.0.1:1"\n')
    url = f"http://127.0.0.1:{free_port()}"
    _one_line_error(
        _run("pull", "r", "--registry", url), EXIT_REGISTRY_UNREACHABLE, url
    )


def test_a_missing_registry_names_every_way_to_give_it(folder: Path) -> None:
    _one_line_error(
        _run("pull", "r"),
        EXIT_BAD_INPUT,
        "Missing option '--registry'",
        "REDLINE_REGISTRY_URL",
        "redline.toml",
    )


def test_a_command_table_sets_that_commands_defaults(folder: Path) -> None:
    (folder / "redline.toml").write_text('[assess]\nframework = "no-such-framework"\n')
    _one_line_error(_run("assess"), EXIT_BAD_INPUT, "no-such-framework")


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (
            'modle = "x"\n',
            ("redline.toml: modle", "no command takes an option --modle"),
        ),
        (
            "[assess]\nlimt = 2\n",
            ("[assess] limt", "`redline assess` has no option --limt"),
        ),
        ("[asess]\nlimit = 2\n", ("[asess]: no command `redline asess`",)),
        ('model = "x\n', ("redline.toml: not valid TOML",)),
    ],
)
def test_a_bad_config_file_is_one_clear_error(
    folder: Path, text: str, fragments: tuple[str, ...]
) -> None:
    (folder / "redline.toml").write_text(text)
    _one_line_error(_run("suites"), EXIT_BAD_INPUT, *fragments)


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("-T", "max_turns=4"), ("-T max_turns=4: expected SUITE.ARG=VALUE",)),
        (
            ("-T", "misuse_refusal.x=1", "--framework", "redline-reference"),
            ("-T misuse_refusal.x: suite misuse_refusal has no argument 'x'",),
        ),
        (
            ("--suite", "mind_reading"),
            ("suite 'mind_reading' is not one this framework reads", "misuse_refusal"),
        ),
        (
            ("-T", "mind_reading.depth=3"),
            ("suite 'mind_reading' is not one this framework reads",),
        ),
    ],
)
def test_suite_options_are_checked_before_any_model_call(
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    fragments: tuple[str, ...],
) -> None:
    monkeypatch.setenv("ACME_API_KEY", "unused")
    result = _run(
        "assess",
        "--model",
        "openai-api/acme/m",
        "--model-base-url",
        f"http://127.0.0.1:{free_port()}/v1",
        "--sandbox",
        "local",
        "--out",
        str(folder / "run"),
        *args,
    )
    _one_line_error(result, EXIT_BAD_INPUT, *fragments)
