"""Chain tokens: 132 random bits each, URL-safe, never handed out twice, not even across a fork."""

from __future__ import annotations

import os

import pytest

from tutor.lab.journal import is_token, new_token


def test_tokens_are_url_safe_132_bit_and_never_repeat() -> None:
    tokens = [new_token() for _ in range(3000)]  # more than one batch of the OS's bytes
    assert all(is_token(token) and len(token) == 22 for token in tokens)
    assert len(set(tokens)) == len(tokens)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="a system without fork")
def test_a_forked_child_never_hands_out_its_parents_next_tokens() -> None:
    new_token()  # the parent holds a batch of bytes
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next tokens, to the parent
        os.close(reader)
        os.write(writer, " ".join(new_token() for _ in range(10)).encode())
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as pipe:
        child = set(pipe.read().split())
    os.waitpid(pid, 0)
    parent = {new_token() for _ in range(10)}
    assert len(child) == 10
    assert not child & parent
