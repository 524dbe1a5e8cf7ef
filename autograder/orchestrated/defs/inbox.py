"""The watched inbox: which submissions are there, and whether one has changed.

Two layouts:

- ``folders``: one entry per learner, ``<inbox>/<learner>/`` (or ``<learner>.zip``,
  ``<learner>.ipynb``), as ``autograder grade-class`` takes them; the assignment is the configured
  name (``course`` by default).
- ``nbgrader``: an nbgrader exchange, ``<inbox>/<course>/inbound/<learner>+<assignment>+<timestamp>``
  (``+<random>`` may follow, as ``nbgrader submit`` writes it); the latest timestamp of a
  (learner, assignment) is the submission, as ``nbgrader collect`` decides.

A submission is one dynamic partition, keyed ``<learner>__<assignment>``. Whether it changed is
told by a content hash of its files (the idea of ``grade-class``'s cache keys): the same files
submitted again, or only touched, are not graded again. A cheap signature (names, sizes and
modification times) spares reading files that were not touched since the last look.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

SEPARATOR = "__"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$")
IGNORED_FILES = {"timestamp.txt"}  # nbgrader's own, rewritten on every submit
IGNORED_DIRS = {"__pycache__", ".ipynb_checkpoints", "node_modules"}
SUFFIXES = (".zip", ".ipynb")


class InboxError(ValueError):
    """A partition key or an inbox entry that cannot name a submission."""


@dataclass(frozen=True)
class InboxSubmission:
    learner: str
    assignment: str
    path: Path

    @property
    def key(self) -> str:
        return partition_key(self.learner, self.assignment)


def valid_name(name: str) -> bool:
    return bool(NAME_RE.match(name)) and ".." not in name


def partition_key(learner: str, assignment: str) -> str:
    if not valid_name(learner) or not valid_name(assignment) or SEPARATOR in assignment:
        raise InboxError(f"{learner!r}, {assignment!r}: learner and assignment names take letters, digits "
                         f"and . _ @ - (and no {SEPARATOR!r} in an assignment name)")
    return f"{learner}{SEPARATOR}{assignment}"


def parse_key(key: str) -> tuple[str, str]:
    """``"ada__ch27-dags"`` -> ``("ada", "ch27-dags")``; the assignment holds no ``__``."""
    learner, sep, assignment = key.rpartition(SEPARATOR)
    if not sep:
        raise InboxError(f"{key!r} is not a submission key (<learner>{SEPARATOR}<assignment>)")
    partition_key(learner, assignment)  # validates
    return learner, assignment


# -- layouts ------------------------------------------------------------------------------------
def _folder_entries(inbox: Path, assignment: str) -> dict[str, InboxSubmission]:
    found: dict[str, InboxSubmission] = {}
    for entry in sorted(inbox.iterdir()) if inbox.is_dir() else []:
        if entry.name.startswith(".") or entry.is_symlink():
            continue
        if entry.is_dir():
            learner = entry.name
        elif entry.suffix in SUFFIXES and entry.is_file():
            learner = entry.stem
        else:
            continue
        if not valid_name(learner):
            continue
        sub = InboxSubmission(learner, assignment, entry)
        found.setdefault(sub.key, sub)  # a folder and a zip of the same name: the folder (sorted first)
    return found


def split_nbgrader_name(name: str) -> tuple[str, str, str] | None:
    """``learner+assignment+timestamp[+random]`` -> (learner, assignment, timestamp)."""
    parts = name.rsplit("+", 3)
    if len(parts) < 3:
        return None
    if len(parts) == 4 and not _looks_like_timestamp(parts[2]):
        parts = [f"{parts[0]}+{parts[1]}", parts[2], parts[3]]  # a learner name with a "+", no random part
    return parts[0], parts[1], parts[2]


def _looks_like_timestamp(text: str) -> bool:
    return bool(re.match(r"^\d{4}-\d{2}-\d{2}", text))


def _inbound_folders(inbox: Path, course: str | None) -> list[Path]:
    if course:
        return [inbox / course / "inbound"]
    return sorted(p / "inbound" for p in inbox.iterdir() if p.is_dir() and not p.name.startswith(".")) \
        if inbox.is_dir() else []


def _nbgrader_entries(inbox: Path, course: str | None, learner: str | None = None,
                      assignment: str | None = None) -> dict[str, InboxSubmission]:
    latest: dict[str, tuple[str, InboxSubmission]] = {}
    for inbound in _inbound_folders(inbox, course):
        if not inbound.is_dir():
            continue
        prefix = f"{learner}+{assignment}+" if learner and assignment else ""
        for entry in sorted(inbound.iterdir()):
            if not entry.name.startswith(prefix) or not entry.is_dir() or entry.is_symlink():
                continue
            parsed = split_nbgrader_name(entry.name)
            if parsed is None or not valid_name(parsed[0]) or not valid_name(parsed[1]) \
                    or SEPARATOR in parsed[1]:
                continue
            sub = InboxSubmission(parsed[0], parsed[1], entry)
            stamp = (parsed[2], entry.name)
            if sub.key not in latest or stamp > latest[sub.key][0]:
                latest[sub.key] = (stamp, sub)
    return {key: sub for key, (_, sub) in sorted(latest.items())}


def scan(inbox: Path, layout: str, assignment: str = "course", course: str | None = None) -> dict[str, InboxSubmission]:
    """Every submission in the inbox, by partition key."""
    if layout == "nbgrader":
        return _nbgrader_entries(inbox, course)
    return _folder_entries(inbox, assignment)


def locate(inbox: Path, layout: str, learner: str, assignment: str, default_assignment: str = "course",
           course: str | None = None) -> InboxSubmission | None:
    """The current submission of one partition, without scanning the whole inbox."""
    if layout == "nbgrader":
        return _nbgrader_entries(inbox, course, learner, assignment).get(partition_key(learner, assignment))
    if assignment != default_assignment:
        return None
    for candidate in (inbox / learner, inbox / f"{learner}.zip", inbox / f"{learner}.ipynb"):
        if candidate.exists() and not candidate.is_symlink():
            return InboxSubmission(learner, assignment, candidate)
    return None


# -- change detection ---------------------------------------------------------------------------
def _files(path: Path) -> list[tuple[str, Path]]:
    """(relative name, path) of a submission's files, sorted; hidden files and caches left out."""
    if path.is_file():
        return [(path.name, path)]
    out = []
    for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in IGNORED_DIRS)
        for name in sorted(filenames):
            full = Path(dirpath) / name
            rel = full.relative_to(path).as_posix()
            if name.startswith(".") or rel in IGNORED_FILES:
                continue
            out.append((rel, full))
    return out


def signature(path: Path) -> str:
    """Names, sizes and modification times: cheap, and changes whenever a file may have."""
    digest = hashlib.sha256()
    for rel, full in _files(path):
        try:
            st = full.lstat()
        except OSError:
            continue
        digest.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def content_digest(path: Path) -> str:
    """A hash of what the learner submitted: file names and bytes (symbolic links by their target)."""
    digest = hashlib.sha256()
    for rel, full in _files(path):
        try:
            data = (b"link:" + os.readlink(full).encode()) if full.is_symlink() else full.read_bytes()
        except OSError:
            continue
        digest.update(rel.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def snapshot(sub: InboxSubmission, into: Path) -> Path:
    """Copy a submission out of the inbox, so that what is graded is what was hashed (symbolic
    links stay links: the grader refuses them, it never follows them)."""
    into.mkdir(parents=True, exist_ok=True)
    if sub.path.is_dir():
        target = into / sub.learner
        shutil.copytree(sub.path, target, symlinks=True)
    else:
        target = into / sub.path.name
        shutil.copy2(sub.path, target)
    return target
