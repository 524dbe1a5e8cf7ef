"""Tests of the pipelinekit package itself: what it exports and how cheap it is to import."""

from __future__ import annotations

import subprocess
import sys

import pipelinekit

PUBLIC = [
    "PipelineTask",
    "PipelineDAG",
    "CycleError",
    "UnknownTaskError",
    "RetryConfig",
    "DeadLetter",
    "DeadLetterQueue",
    "process_with_dlq",
    "idempotent_write",
    "partition_path",
    "DataContract",
    "Violation",
    "ContractViolation",
]


def test_the_package_exports_the_chapter_api() -> None:
    assert sorted(pipelinekit.__all__) == sorted(PUBLIC)
    assert all(hasattr(pipelinekit, name) for name in PUBLIC)


def test_importing_pipelinekit_loads_no_heavy_library() -> None:
    code = (
        "import sys, pipelinekit\n"
        "from pipelinekit import DataContract, DeadLetterQueue\n"
        "heavy = [m for m in ('pandas', 'numpy', 'matplotlib') if m in sys.modules]\n"
        "assert not heavy, f'import pipelinekit loaded {heavy}'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
