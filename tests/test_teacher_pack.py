"""Teacher packs: `new lesson` starts one, it loads beside the built-in course, ids never clash."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tutor.course.lint import lint
from tutor.course.loader import load_course

TUTOR = [sys.executable, "-m", "tutor"]

BANK = textwrap.dedent(
    """\
    format: 1
    kind: quiz
    id: quiz-checkout-moves
    title: "Quiz: the checkout moves"
    lesson: checkout-moves
    citations:
      - id: rfc9110-15.4.8
        title: RFC 9110 §15.4.8 307 Temporary Redirect
        url: https://www.rfc-editor.org/rfc/rfc9110#section-15.4.8
    questions:
      - id: checkout-307-keeps-post
        kind: truefalse
        prompt: A 307 lets the client turn the POST into a GET.
        cite: [rfc9110-15.4.8]
        choices:
          - id: "true"
            text: "True"
            explanation: That is what many clients do on a 302.
            misconception: Every redirect turns a POST into a GET.
          - id: "false"
            text: "False"
            correct: true
            explanation: A 307 must not change the method.
    """
)


def tutor(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TUTOR, *args], capture_output=True, text=True, timeout=60, cwd=cwd, check=False
    )


def test_new_lesson_writes_a_file_that_passes_lint_and_never_overwrites(tmp_path: Path) -> None:
    done = tutor("new", "lesson", "Checkout moves", "--dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    path = tmp_path / "checkout-moves.yaml"
    assert f"Wrote {path}" in done.stdout
    assert lint([path]) == []
    text = path.read_text(encoding="utf-8")
    for part in ("citations:", "cite:", "experiments:", "expect:", "predict:"):
        assert part in text
    path.write_text(text + "# the teacher's edits\n", encoding="utf-8")
    again = tutor("new", "lesson", "Checkout moves", "--dir", str(tmp_path))
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert path.read_text(encoding="utf-8").endswith("# the teacher's edits\n")


def test_a_teacher_pack_loads_beside_the_built_in_course(tmp_path: Path) -> None:
    assert tutor("new", "lesson", "Checkout moves", "--dir", str(tmp_path)).returncode == 0
    (tmp_path / "quiz.yaml").write_text(BANK, encoding="utf-8")
    builtin = load_course()
    course = load_course([tmp_path])
    assert course.problems == []
    assert [lesson.id for lesson in course.lessons] == [
        *(lesson.id for lesson in builtin.lessons),
        "checkout-moves",
    ]
    assert ("quiz-checkout-moves", "checkout-307-keeps-post") in [
        (bank.id, question.id) for bank, question in course.questions
    ]
    done = tutor("--lessons", str(tmp_path), "lint")
    assert done.returncode == 0, done.stdout


def test_an_id_the_built_in_course_has_is_a_lint_error_at_its_line(tmp_path: Path) -> None:
    assert tutor("new", "lesson", "Found 302", "--dir", str(tmp_path)).returncode == 0
    path = tmp_path / "found-302.yaml"
    bank = BANK.replace("lesson: checkout-moves", "lesson: found-302").replace(
        "id: checkout-307-keeps-post", "id: redirect-two-parts"
    )
    (tmp_path / "quiz.yaml").write_text(bank, encoding="utf-8")
    for args in (("--lessons", str(tmp_path), "lint"), ("lint", str(tmp_path))):
        done = tutor(*args)
        assert done.returncode == 1
        lines = done.stdout.splitlines()
        assert lines[0].startswith(f"{tmp_path / 'found-302.yaml'}:5:5: id: lesson id 'found-302'")
        assert "is already used by" in lines[0]
        assert lines[0].endswith("03-found-302.yaml: file skipped")
        assert lines[1].startswith(f"{tmp_path / 'quiz.yaml'}:11:9: questions[0].id: ")
        assert "question id 'redirect-two-parts' is already used by" in lines[1]
    assert load_course([tmp_path]).lesson("found-302") == load_course().lesson("found-302")
    assert path.exists()
