"""The lab's edge cases are content: `kind: edges` files load, lint at file:line:col, never clash.

The built-in edges are in lessons/edges/; a teacher's pack may add its own. Their live behaviour
is tested in test_edges_live.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tutor.cli import cli
from tutor.course.edges import Edge
from tutor.course.files import builtin_lessons_dir
from tutor.course.lint import lint
from tutor.course.loader import load_course, load_file

FIXTURES = Path(__file__).parent / "fixtures" / "edges"
BUILTIN = builtin_lessons_dir() / "edges" / "lab-edges.yaml"


def found(paths: list[Path]) -> list[tuple[str, int, int, str]]:
    return [(p.path.name, p.line, p.col, p.message) for p in lint(paths)]


def test_the_built_in_edges_load_cited_and_in_order():
    content, problems = load_file(BUILTIN)
    assert problems == [] and content is not None and content.kind == "edges"
    course = load_course()
    assert course.problems == []
    assert [cases.id for cases in course.edge_cases] == ["lab-edges"]
    assert [edge.id for edge in course.edges][:3] == [
        "no-location",
        "relative-location",
        "absolute-location",
    ]
    assert len(course.edges) == 20
    assert course.edge("loop") is course.edges[4]
    cited = {citation.id for citation in course.edge_cases[0].citations}
    for edge in course.edges:
        assert isinstance(edge, Edge)
        assert edge.cite and set(edge.cite) <= cited, edge.id
        assert edge.title and edge.shows and edge.label, edge.id


def test_the_corrected_claims_cite_the_rfc_and_fetch():
    """RFC 9110 §15.4: a client SHOULD detect loops; §15.4.4: GET or HEAD after a 303 (keeping
    HEAD is the WHATWG Fetch rule)."""
    course = load_course()
    loop, head = course.edge("loop"), course.edge("head-303")
    assert loop is not None and head is not None
    assert "SHOULD detect" in loop.shows and "must" not in loop.shows.lower()
    assert set(loop.cite) == {"rfc9110-15.4", "fetch-redirect"}
    assert "GET or a HEAD" in head.shows and "Fetch" in head.shows
    assert set(head.cite) == {"rfc9110-15.4.4", "fetch-redirect"}
    quotes = {c.id: c.quote or "" for c in course.edge_cases[0].citations}
    assert "SHOULD detect" in quotes["rfc9110-15.4"]
    assert "(a GET or HEAD request if using HTTP)" in quotes["rfc9110-15.4.4"]


def test_an_edge_is_an_experiment_whose_label_defaults_to_its_title():
    course = load_course([FIXTURES / "valid"])
    no_location = course.edge("no-location")
    assert no_location is not None and no_location.label == no_location.title
    put = course.edge("put-308")
    assert put is not None and put.label == "PUT name=ada to a 308"
    assert (put.code, put.method, put.body, put.client) == (308, "PUT", "name=ada", "httpx")


def test_a_teachers_pack_adds_its_edges_after_the_built_in_ones():
    assert lint([FIXTURES / "valid"]) == []
    course = load_course([FIXTURES / "valid"])
    assert course.problems == []
    assert [cases.id for cases in course.edge_cases] == ["lab-edges", "teacher-edges"]
    assert course.edges[-1].id == "put-308"


def test_wrong_fields_are_problems_at_their_lines():
    assert found([FIXTURES / "broken" / "bad-fields.yaml"]) == [
        ("bad-fields.yaml", 16, 11, "edges[0].body: a GET carries no body: remove 'body'"),
        ("bad-fields.yaml", 17, 5, "edges[1]: missing required key 'shows'"),
        ("bad-fields.yaml", 19, 11, "edges[1].cite: must not be empty"),
        (
            "bad-fields.yaml",
            20,
            11,
            "edges[1].code: unknown redirect code 399: use one of 300-308",
        ),
        (
            "bad-fields.yaml",
            21,
            5,
            "edges[1].colour: unknown key: allowed here: code, method, body, headers, client, "
            "to, location, origin, scheme, loop, cache, stream, repeat, fragment, redirect, "
            "start, hsts, id, label, expect, "
            "title, shows, cite",
        ),
    ]


def test_a_dangling_citation_and_a_repeated_id_are_problems_at_their_lines():
    assert found([FIXTURES / "broken" / "bad-references.yaml"]) == [
        (
            "bad-references.yaml",
            13,
            26,
            "edges[0].cite[1]: 'rfc9999' is not among the file's citations",
        ),
        (
            "bad-references.yaml",
            15,
            9,
            "edges[1].id: duplicate edge case id 'twice' (edges[0] already uses it)",
        ),
    ]


def test_an_edge_or_file_id_the_course_already_has_is_rejected():
    clash = FIXTURES / "clash"
    assert found([clash]) == [
        (
            "clashing-edges.yaml",
            3,
            5,
            f"id: lab edge-case list id 'lab-edges' is already used by {BUILTIN}: file skipped",
        ),
        (
            "clashing-edges.yaml",
            10,
            9,
            f"edges[0].id: edge case id 'loop' is already used by {BUILTIN}: file skipped",
        ),
    ]
    course = load_course([clash])
    assert [cases.id for cases in course.edge_cases] == ["lab-edges"]
    assert [edge.title for edge in course.edges].count("Another loop") == 0


def test_edge_ids_are_unique_across_a_packs_files_too(tmp_path):
    text = (FIXTURES / "valid" / "teacher-edges.yaml").read_text()
    (tmp_path / "a.yaml").write_text(text)
    (tmp_path / "b.yaml").write_text(text.replace("id: teacher-edges", "id: other-edges"))
    assert found([tmp_path]) == [
        (
            "b.yaml",
            11,
            9,
            f"edges[0].id: edge case id 'put-308' is already used by {tmp_path / 'a.yaml'}: "
            "file skipped",
        )
    ]


def test_an_unknown_kind_names_edges_among_the_kinds(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("format: 1\nkind: edge\nid: x\n")
    assert found([path]) == [
        ("x.yaml", 2, 7, "kind: unknown kind 'edge': use one of lesson, quiz, card, edges")
    ]


def test_the_lint_command_prints_each_problem_as_file_line_col():
    result = CliRunner().invoke(cli, ["lint", str(FIXTURES / "broken")])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 7
    assert lines[0] == (
        f"{FIXTURES / 'broken' / 'bad-fields.yaml'}:16:11: "
        "edges[0].body: a GET carries no body: remove 'body'"
    )
    assert CliRunner().invoke(cli, ["lint", str(FIXTURES / "valid")]).exit_code == 0
