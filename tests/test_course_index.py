"""The cached lesson index: written by a full load, read back only while the files are unchanged."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from pilot import tutor_app

from tutor.course.files import builtin_lessons_dir
from tutor.course.index import Entry, index_key, read_index, write_index
from tutor.course.loader import load_course
from tutor.ui.app import INDEX_FILE

FIXTURES = Path(__file__).parent / "fixtures" / "lessons" / "valid"


def _pack(tmp_path: Path) -> Path:
    pack = tmp_path / "pack"
    shutil.copytree(FIXTURES, pack)
    return pack


def test_an_index_reads_back_what_the_full_load_wrote(tmp_path):
    pack = _pack(tmp_path)
    key = index_key([pack])
    course = load_course([pack], builtin=False)
    write_index(key, course.lessons, tmp_path / "index.json")
    entries = read_index(index_key([pack]), tmp_path / "index.json")
    assert entries == [
        Entry(lesson.id, lesson.title, lesson.summary, lesson.minutes, lesson.step_ids)
        for lesson in course.lessons
    ]


def test_any_change_to_a_course_file_misses(tmp_path):
    pack = _pack(tmp_path)
    key = index_key([pack])
    write_index(key, load_course([pack], builtin=False).lessons, tmp_path / "index.json")
    first = sorted(pack.glob("*.yaml"))[0]
    stat = first.stat()
    os.utime(first, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert index_key([pack]) != key
    assert read_index(index_key([pack]), tmp_path / "index.json") is None
    (pack / "99-new.yaml").write_text(first.read_text())
    assert index_key([pack]) != key


def test_a_missing_or_broken_cache_is_a_miss(tmp_path):
    key = index_key([builtin_lessons_dir()])
    assert read_index(key, tmp_path / "absent.json") is None
    broken = tmp_path / "broken.json"
    for data in ("not json", [], {"key": key}, {"key": key, "lessons": [{}]}):
        broken.write_text(data if isinstance(data, str) else json.dumps(data))
        assert read_index(key, broken) is None


def test_an_unwritable_cache_is_no_loss(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    write_index("k", [], blocker / "index.json")  # its folder cannot be made: no exception
    assert not (blocker / "index.json").exists()


async def test_the_app_writes_the_index_and_lists_the_lessons(tmp_path):
    pack = _pack(tmp_path)
    home = Path(os.environ["REDIRECT_TUTOR_HOME"])
    app = tutor_app([pack], builtin=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        listed = app.lessons_screen.query_one("#lessons").lessons
        assert [lesson.id for lesson in listed] == [
            "fixture-valid",
            "fixture-second",
            "fixture-tenth",
        ]
    cached = read_index(index_key([pack]), home / INDEX_FILE)
    assert [entry.id for entry in cached] == ["fixture-valid", "fixture-second", "fixture-tenth"]
    second = tutor_app([pack], builtin=False)
    async with second.run_test(size=(80, 24)) as pilot:
        await second.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert second.screen.lesson.id == "fixture-valid", "the real lesson opens, not its entry"
