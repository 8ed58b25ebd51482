"""The validated course kept between starts: read back only for the same bytes and the same code."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tutor.course import kept
from tutor.course.kept import course_digest, load_kept, read_kept
from tutor.course.loader import load_paths

FIXTURES = Path(__file__).parent / "fixtures" / "lessons"


def _pack(tmp_path: Path) -> Path:
    pack = tmp_path / "pack"
    shutil.copytree(FIXTURES / "valid", pack)
    return pack


def test_a_kept_course_is_the_course_the_full_load_gives(tmp_path):
    pack, cache = _pack(tmp_path), tmp_path / "course.pickle"
    first = load_kept([pack], cache)
    assert cache.stat().st_mode & 0o777 == 0o600
    again = read_kept(course_digest([pack]) or "", cache)
    assert again is not None
    assert again.lessons == first.lessons == load_paths([pack]).lessons
    assert again.problems == first.problems


def test_a_changed_byte_misses_though_size_and_time_are_the_same(tmp_path):
    pack, cache = _pack(tmp_path), tmp_path / "course.pickle"
    load_kept([pack], cache)
    lesson = sorted(pack.glob("*.yaml"))[0]
    stat, data = lesson.stat(), lesson.read_bytes()
    at = data.index(b"title: ") + len(b"title: ")
    lesson.write_bytes(data[:at] + (b"Y" if data[at : at + 1] == b"Z" else b"Z") + data[at + 1 :])
    os.utime(lesson, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert lesson.stat().st_size == stat.st_size
    digest = course_digest([pack])
    assert digest is not None
    assert read_kept(digest, cache) is None
    assert load_kept([pack], cache).lessons == load_paths([pack]).lessons


def test_a_new_file_or_a_changed_source_misses(tmp_path, monkeypatch):
    pack = _pack(tmp_path)
    digest = course_digest([pack])
    first = sorted(pack.glob("*.yaml"))[0]
    (pack / "99-copy.yaml").write_bytes(first.read_bytes())
    assert course_digest([pack]) != digest
    source = tmp_path / "tutor"
    source.mkdir()
    (source / "models.py").write_text("# the validators\n")
    monkeypatch.setattr(kept, "_SOURCE", source)
    before = course_digest([pack])
    (source / "models.py").write_text("# the validators, changed\n")
    assert course_digest([pack]) != before


def test_another_version_of_the_validator_misses(tmp_path, monkeypatch):
    """pydantic judges the course; its version is read from its files, not by importing it."""
    pack, installed = _pack(tmp_path), tmp_path / "site"
    (installed / "validator").mkdir(parents=True)
    (installed / "validator" / "__init__.py").write_text("VERSION = '2.0'\n")
    monkeypatch.syspath_prepend(str(installed))
    monkeypatch.setattr(kept, "_VALIDATORS", ("validator",))
    before = course_digest([pack])
    (installed / "validator" / "__init__.py").write_text("VERSION = '2.10'\n")
    assert course_digest([pack]) != before
    assert "validator" not in sys.modules


def test_a_course_with_a_problem_only_the_loader_can_judge_is_never_kept(tmp_path):
    pack = _pack(tmp_path)
    (pack / "huge.yaml").write_bytes(b"#" * (kept.FILE_BYTES + 1))
    assert course_digest([pack]) is None
    cache = tmp_path / "course.pickle"
    course = load_kept([pack], cache)
    assert not cache.exists()
    assert any("huge.yaml" in str(problem) for problem in course.problems)


@pytest.mark.parametrize(
    "content",
    [b"", b"not the digest\n", None, pickle.dumps(["not", "a", "course"])],
    ids=["empty", "other digest", "cut short", "not a course"],
)
def test_a_broken_or_foreign_file_is_a_miss_never_an_error(tmp_path, content):
    pack, cache = _pack(tmp_path), tmp_path / "course.pickle"
    digest = course_digest([pack])
    assert digest is not None
    load_kept([pack], cache)
    whole = cache.read_bytes()
    if content is None:
        cache.write_bytes(whole[: len(whole) // 2])
    elif content.startswith(b"\x80"):
        cache.write_bytes(digest.encode() + b"\n" + content)
    else:
        cache.write_bytes(content)
    assert read_kept(digest, cache) is None
    assert load_kept([pack], cache).lessons == load_paths([pack]).lessons
    assert read_kept(digest, cache) is not None, "kept anew"


def test_an_unwritable_folder_costs_only_the_full_load(tmp_path):
    pack = _pack(tmp_path)
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder would be")
    course = load_kept([pack], blocked / "course.pickle")
    assert course.lessons == load_paths([pack]).lessons
    assert sorted(path.name for path in tmp_path.iterdir()) == ["file", "pack"]


def test_a_kept_course_is_read_back_without_the_yaml_loader_or_pydantic(tmp_path):
    """A start with the course kept pays for no YAML parser and no validator: it reads the
    pickle alone, and its models are plain dataclasses (tutor.validated)."""
    pack, cache = _pack(tmp_path), tmp_path / "course.pickle"
    load_kept([pack], cache)
    script = (
        "import sys; from pathlib import Path; from tutor.course.kept import load_kept; "
        f"load_kept([Path({str(pack)!r})], Path({str(cache)!r})); "
        "print(sorted({'yaml', 'tutor.course.loader', 'pydantic', 'pydantic_core'}"
        " & set(sys.modules)))"
    )
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert ran.stdout.strip() == "[]"
