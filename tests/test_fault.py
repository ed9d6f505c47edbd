"""A run killed mid-way never leaves a half-written output file that a later run would trust."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from figcheck.output import atomic_write
from test_robust_inputs import readme_row

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")

PREVIOUS = '{"figure_id": "old.txt:0", "note": "the previous, complete output"}\n'


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Enough articles that extracting them takes a few seconds."""
    folder = tmp_path_factory.mktemp("articles")
    for i in range(1500):
        (folder / f"a{i:04}.txt").write_text(
            f"The health ministry said {i + 100} people had been killed and about {i + 7} hostages were still "
            f"held, while more than {i * 3 + 20} were wounded on Tuesday.\n", encoding="utf-8")
    return folder


def _start(corpus: Path, out: Path, *more: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONHASHSEED="0")
    return subprocess.Popen([sys.executable, "-m", "figcheck", "extract", str(corpus), "-o", str(out), *more],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def _wait_for_partial_temporary(out: Path, proc: subprocess.Popen[bytes], timeout: float = 120) -> Path:
    """Wait until the run has written part of its output to the temporary file beside ``out``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        temps = list(out.parent.glob(f".{out.name}.*.tmp"))
        if temps and temps[0].stat().st_size > 0:
            return temps[0]
        if proc.poll() is not None:
            break
        time.sleep(0.02)
    proc.kill()
    err = proc.stderr.read() if proc.stderr else b""
    raise AssertionError(f"no partial output appeared (exit {proc.poll()}): {err!r}")


def _temporaries(out: Path) -> list[Path]:
    return list(out.parent.glob(f".{out.name}.*.tmp"))


def test_sigterm_during_extract_keeps_the_previous_file(corpus, tmp_path):
    _what, code = readme_row("SIGTERM during `figcheck extract -o FILE`")
    out = tmp_path / "figures.jsonl"
    out.write_text(PREVIOUS, encoding="utf-8")
    proc = _start(corpus, out, "--no-validate")  # rows stream into the temporary file as they come
    partial = _wait_for_partial_temporary(out, proc)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    assert proc.returncode == code
    assert out.read_text(encoding="utf-8") == PREVIOUS
    assert not partial.exists()
    assert _temporaries(out) == []


def test_sigterm_while_validating_keeps_the_previous_file(corpus, tmp_path):
    out = tmp_path / "figures.jsonl"
    out.write_text(PREVIOUS, encoding="utf-8")
    proc = _start(corpus, out)
    deadline = time.monotonic() + 120
    while not _temporaries(out) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    assert proc.returncode in (143, -signal.SIGTERM)
    assert out.read_text(encoding="utf-8") == PREVIOUS
    assert _temporaries(out) == []


def test_sigkill_leaves_the_previous_file_and_an_untrusted_temporary(corpus, tmp_path):
    out = tmp_path / "figures.jsonl"
    out.write_text(PREVIOUS, encoding="utf-8")
    proc = _start(corpus, out, "--no-validate")
    partial = _wait_for_partial_temporary(out, proc)
    proc.kill()  # no chance to clean up
    proc.wait(timeout=60)
    assert out.read_text(encoding="utf-8") == PREVIOUS
    assert partial.exists()  # left behind, hidden, and never read as input or output
    # a later run over a folder holding it neither reads it nor trips on it, and replaces the file
    later = tmp_path / "later"
    later.mkdir()
    (later / partial.name).write_bytes(partial.read_bytes())
    (later / "a.txt").write_text("About 40 people were hurt.\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "figcheck", "extract", str(later), "-o", str(out), "--no-validate"],
                          capture_output=True, env=dict(os.environ, PYTHONHASHSEED="0"), timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    assert lines[0].startswith('{"figure_id": "a.txt:0"')


def test_an_exception_mid_write_keeps_the_previous_file(tmp_path):
    out = tmp_path / "report.json"
    out.write_text("previous", encoding="utf-8")

    def write_half() -> None:
        with atomic_write(out) as fh:
            fh.write("half a rep")
            raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_half()
    assert out.read_text(encoding="utf-8") == "previous"
    assert list(tmp_path.iterdir()) == [out]


def test_atomic_write_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    out = tmp_path / "figures.csv"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o640)
    with atomic_write(out) as fh:
        fh.write("new")
    assert out.read_text(encoding="utf-8") == "new"
    assert out.stat().st_mode & 0o777 == 0o640
    fresh = tmp_path / "fresh.csv"
    umask = os.umask(0o022)
    try:
        with atomic_write(fresh) as fh:
            fh.write("x")
    finally:
        os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o644  # as open() would make it, not mkstemp's private 0600


def test_writing_over_a_folder_is_refused_and_nothing_is_left(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(IsADirectoryError), atomic_write(target) as fh:
        fh.write("x")
    assert list(tmp_path.iterdir()) == [target]
    assert list(target.iterdir()) == []
