"""Writes the apps above registration must make inside registration's own transactions.

``registration`` imports none of the apps above it: they register their hooks here when they are
ready (``ReviewConfig.ready``). Unlike the signals of ``registration.signals``, which are sent on
commit for what may fail on its own, a hook runs inside the transaction of the write it belongs to:
if it raises, that write is rolled back with it.
"""

from __future__ import annotations

from typing import Protocol


class CodeIssuedHook(Protocol):
    """The (locked) application ``application_id`` was given the 验证码 ``code``."""

    def __call__(self, *, application_id: int, code: str) -> object: ...


class SubmittedHook(Protocol):
    """The (locked) application was just submitted; the hook may move it on (auto-confirmation)."""

    def __call__(self, *, application_id: int) -> object: ...


_code_issued: list[CodeIssuedHook] = []
_submitted: list[SubmittedHook] = []


def register_code_issued(hook: CodeIssuedHook) -> None:
    if hook not in _code_issued:
        _code_issued.append(hook)


def register_submitted(hook: SubmittedHook) -> None:
    if hook not in _submitted:
        _submitted.append(hook)


def code_issued(*, application_id: int, code: str) -> None:
    for hook in _code_issued:
        hook(application_id=application_id, code=code)


def submitted(*, application_id: int) -> None:
    for hook in _submitted:
        hook(application_id=application_id)
