"""The exercise catalogue: every exercise's public metadata, and where its files live.

Read from ``solutions/*/exercise.toml`` on an instructor's checkout, or from the generated
``exercises/catalog.json`` where ``solutions/`` is absent (the learner bundle).
"""
from __future__ import annotations

import json
import re
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOLUTIONS = REPO / "solutions"
EXERCISES = REPO / "exercises"
CHECKS = EXERCISES / "_checks"
CATALOG_JSON = EXERCISES / "catalog.json"

ID_RE = re.compile(r"^(\d{1,2})\.(\d{1,2})$")
KINDS = ("auto", "manual")


class CatalogError(ValueError):
    """An exercise.toml is missing or malformed."""


@dataclass(frozen=True)
class Part:
    id: str
    title: str
    kind: str
    points: int
    rubric: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mutant:
    name: str
    description: str
    kills: tuple[str, ...]
    edits: tuple[dict, ...]
    typical: bool = False


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    stars: int
    chapter: int
    section: str
    topic: str
    status: str
    deliverable: str
    parts: tuple[Part, ...]
    mutants: tuple[Mutant, ...] = ()
    issue: int | None = None
    limits: dict = field(default_factory=dict, hash=False, compare=False)
    services: tuple[str, ...] = ()
    answer_files: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def key(self) -> str:
        """Zero-padded id used for folder and file names: ``27.01``, ``03.05``."""
        return folder_key(self.id)

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-")[:48]

    @property
    def notebook_name(self) -> str:
        return f"{self.key}_{self.slug}.ipynb"

    @property
    def project_name(self) -> str:
        """Folder name of a project deliverable in exercises/ and in submissions."""
        return f"{self.key}_{self.slug}"

    @property
    def points(self) -> int:
        return sum(p.points for p in self.parts)

    @property
    def auto_points(self) -> int:
        return sum(p.points for p in self.parts if p.kind == "auto")

    @property
    def ready(self) -> bool:
        return self.status == "ready"

    @property
    def source_dir(self) -> Path:
        return SOLUTIONS / self.key

    @property
    def hidden_tests(self) -> list[Path]:
        return sorted((self.source_dir / "tests").glob("test_hidden*.py"))

    @property
    def visible_tests(self) -> list[Path]:
        """The visible tests: the source copy on an instructor's checkout (so verify runs them
        before exercises/ is regenerated), the generated copy in the learner bundle."""
        source = self.source_dir / "tests" / "test_visible.py"
        return [source] if source.exists() else [CHECKS / f"test_{self.key.replace('.', '_')}.py"]

    def public(self) -> dict:
        """What learners and the site may see: no mutants, no rubric."""
        data = asdict(self)
        data.pop("mutants")
        data.pop("limits")
        data.pop("services")
        data.pop("answer_files")
        for part in data["parts"]:
            part.pop("rubric")
        return data


def folder_key(exercise_id: str) -> str:
    match = ID_RE.match(exercise_id.strip())
    if not match:
        raise CatalogError(f"{exercise_id!r} is not an exercise id like 27.4 or 3.1")
    return f"{int(match.group(1)):02d}.{int(match.group(2)):02d}"


def normalise_id(text: str) -> str:
    """'27.04', '27_4' or '27.4' -> '27.4'."""
    match = re.fullmatch(r"\s*(\d{1,2})[._-](\d{1,2})\s*", text)
    if not match:
        raise CatalogError(f"{text!r} is not an exercise id like 27.4 or 3.1")
    return f"{int(match.group(1))}.{int(match.group(2))}"


def _load_toml(path: Path) -> Exercise:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path}: {exc}") from None
    try:
        parts = tuple(
            Part(p["id"], p["title"], p["kind"], int(p["points"]), tuple(p.get("rubric", ())))
            for p in data["parts"]
        )
        mutants = tuple(
            Mutant(
                m["name"], m.get("description", ""), tuple(m["kills"]),
                tuple(m.get("edits", ())), bool(m.get("typical", False)),
            )
            for m in data.get("mutants", ())
        )
        exercise = Exercise(
            id=normalise_id(str(data["id"])), title=data["title"], stars=int(data["stars"]),
            chapter=int(data["chapter"]), section=str(data["section"]), topic=data.get("topic", ""),
            status=data.get("status", "planned"), deliverable=data.get("deliverable", "notebook"),
            parts=parts, mutants=mutants, issue=data.get("issue"), limits=data.get("limits", {}),
            services=tuple(data.get("services", ())), answer_files=data.get("answer_files", {}),
        )
    except KeyError as exc:
        raise CatalogError(f"{path}: missing key {exc}") from None
    for part in parts:
        if part.kind not in KINDS:
            raise CatalogError(f"{path}: part {part.id!r} has kind {part.kind!r}, not auto or manual")
    if len({p.id for p in parts}) != len(parts):
        raise CatalogError(f"{path}: two parts share an id")
    if path.parent.name != exercise.key:
        raise CatalogError(f"{path}: folder should be named {exercise.key}")
    return exercise


def _from_public(data: dict) -> Exercise:
    parts = tuple(Part(p["id"], p["title"], p["kind"], p["points"]) for p in data["parts"])
    fields = {k: v for k, v in data.items() if k != "parts"}
    return Exercise(parts=parts, **fields)


def load_catalog(solutions: Path | None = None) -> dict[str, Exercise]:
    """All exercises, in course order (chapter 3 first, then 27), keyed by id."""
    solutions = SOLUTIONS if solutions is None else solutions
    if solutions.is_dir():
        exercises = [_load_toml(p) for p in solutions.glob("*/exercise.toml")]
    elif CATALOG_JSON.is_file():
        exercises = [_from_public(d) for d in json.loads(CATALOG_JSON.read_text())["exercises"]]
    else:
        raise CatalogError("no catalogue found: neither solutions/ nor exercises/catalog.json")
    exercises.sort(key=lambda e: tuple(int(x) for x in e.id.split(".")))
    return {e.id: e for e in exercises}


def get(exercise_id: str, catalog: dict[str, Exercise] | None = None) -> Exercise:
    catalog = load_catalog() if catalog is None else catalog
    key = normalise_id(exercise_id)
    if key not in catalog:
        raise CatalogError(f"there is no exercise {key} (try `autograder list`)")
    return catalog[key]


def has_solutions() -> bool:
    return SOLUTIONS.is_dir()
