"""Warm lanes (autograder.warm, autograder.zygote, autograder.pool): fast, and still isolated.

A warm worker is forked from a zygote that imported the heavy modules once. These tests show
that one learner's worker leaves nothing behind for the next (files, processes, modules), that
a learner cannot take the zygote over, that a broken zygote costs nobody a grade, and that warm
grading gives the same results as cold grading.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from autograder import catalog as cat
from autograder import generate, jail
from autograder.sandbox import Limits
from autograder.warm import WarmWorker, Zygote, ZygoteUnavailable

JAILED = jail.mode() == "bubblewrap"


@pytest.fixture
def zygote():
    z = Zygote(Limits(), {}, {"writable": [], "relays": {}, "readable": []}, ["numpy", "pandas", "pipelinekit"])
    z.start()
    yield z
    z.close()


def learner(z: Zygote, source: str, limits: Limits | None = None) -> tuple[WarmWorker, dict]:
    worker = WarmWorker(z, limits or Limits(), {})
    worker.start()
    reply = worker.request({"op": "load", "cells": [{"index": 1, "source": source}], "cell_timeout": 20}, 30)
    return worker, reply


def value(worker: WarmWorker, expression: str):
    probe = f"def probe(ns):\n    return {expression}\n"
    reply = worker.request({"op": "run", "name": "probe", "source": probe, "helpers": [], "args": [],
                            "timeout": 20}, 30)
    assert reply.get("ok"), reply
    return reply["value"]


def test_the_zygote_imported_the_heavy_modules_once(zygote):
    assert {"numpy", "pandas", "pipelinekit"} <= set(zygote.info["imported"]) and not zygote.info["failed"]
    assert zygote.info["threads"] == 1  # forks of a single-threaded process are safe
    worker, reply = learner(zygote, "import sys\nloaded = 'pandas' in sys.modules")
    assert reply["cell_errors"] == [] and value(worker, "ns.loaded") is True
    worker.kill()


def test_files_of_one_learner_are_gone_for_the_next(zygote):
    first, _ = learner(zygote, "import os, pathlib\n"
                               "tmp_at_start = sorted(os.listdir('/tmp')) if os.path.isdir('/tmp') else []\n"
                               "pathlib.Path('/tmp/left.txt' if os.path.isdir('/tmp') else 'left.txt').write_text('x')\n"
                               "pathlib.Path(os.path.expanduser('~/secret.txt')).write_text('answers')\n"
                               "os.makedirs(os.path.expanduser('~/locked/inner'))\n"
                               "os.chmod(os.path.expanduser('~/locked'), 0)\n")
    assert value(first, "__import__('os').path.exists(__import__('os').path.expanduser('~/secret.txt'))") is True
    tmp_at_start = value(first, "ns.tmp_at_start")  # folders the sandbox made for its mounts (a repo under /tmp)
    first.kill()
    second, _ = learner(zygote, "import os\n"
                                "home = os.path.expanduser('~')\n"
                                "seen = sorted(os.listdir(home))\n"
                                "tmp = sorted(os.listdir('/tmp')) if os.path.isdir('/tmp') else []\n")
    seen = value(second, "ns.seen")
    assert all(name.startswith("work-") for name in seen) and len(seen) == 1, seen  # only its own folder
    if JAILED:
        assert value(second, "ns.tmp") == tmp_at_start and "left.txt" not in tmp_at_start
    second.kill()


@pytest.mark.skipif(not JAILED, reason="only a pid namespace lets the zygote see every stray process")
def test_a_daemon_left_behind_is_killed_before_the_next_learner(zygote):
    first, _ = learner(zygote, "import os, time\n"
                               "if os.fork() == 0:\n"
                               "    os.setsid()\n"
                               "    if os.fork() == 0:\n"
                               "        while True:\n"
                               "            time.sleep(0.05)\n"
                               "    os._exit(0)\n"
                               "time.sleep(0.3)\n")
    first.kill()
    second, _ = learner(zygote, "import os\n"
                                "pids = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())\n"
                                "me = os.getpid()\n")
    pids, me = value(second, "ns.pids"), value(second, "ns.me")
    others = [p for p in pids if p not in (1, me)]
    assert len(others) == 1, pids  # the zygote itself, nothing of the first learner's
    second.kill()


def test_a_learner_cannot_read_or_trace_the_zygote(zygote):
    worker, reply = learner(zygote, "import os, ctypes\n"
                                    "parent = os.getppid()\n"
                                    "try:\n"
                                    "    open(f'/proc/{parent}/mem', 'rb').read(1)\n"
                                    "    mem = 'read'\n"
                                    "except OSError as exc:\n"
                                    "    mem = type(exc).__name__\n"
                                    "libc = ctypes.CDLL(None, use_errno=True)\n"
                                    "traced = libc.ptrace(16, parent, 0, 0)\n")  # PTRACE_ATTACH
    assert reply["cell_errors"] == []
    assert value(worker, "ns.mem") != "read"
    assert value(worker, "ns.traced") == -1
    worker.kill()


def test_a_learner_who_kills_the_zygote_only_loses_the_warm_start(zygote):
    from autograder import protocol

    worker = WarmWorker(zygote, Limits(), {})
    worker.start()
    with pytest.raises(protocol.ProtocolError):  # what SandboxedSubmission turns into a zero with a reason
        worker.request({"op": "load", "cells": [{"index": 1, "source": "import os, signal\n"
                                                 "os.kill(os.getppid(), signal.SIGKILL)\n"}], "cell_timeout": 20}, 30)
    worker.kill()
    assert not zygote.alive() or not zygote.ping()
    with pytest.raises(ZygoteUnavailable):
        WarmWorker(zygote, Limits(), {}).start()


def test_limits_apply_to_each_warm_worker(zygote):
    worker, reply = learner(zygote, "block = bytearray(3 << 30)\n", Limits(memory_bytes=1 << 30))
    assert reply["cell_errors"] and reply["cell_errors"][0]["type"] == "MemoryError"
    worker.kill()
    worker, _ = learner(zygote, "import time\nwhile True:\n    pass\n" if False else "x = 1\n")
    probe = "def probe(ns):\n    while True:\n        pass\n"
    reply = worker.request({"op": "run", "name": "probe", "source": probe, "helpers": [], "args": [],
                            "timeout": 0.5}, 5)
    assert reply["kind"] == "timeout"
    worker.kill()


def test_a_changed_module_does_not_reach_the_next_learner(zygote):
    first, _ = learner(zygote, "import pandas\npandas.DataFrame.sum = lambda self, *a, **k: 42\n")
    first.kill()
    second, _ = learner(zygote, "import pandas\nresult = int(pandas.DataFrame({'a': [1, 2]})['a'].sum())\n"
                                "patched = isinstance(pandas.DataFrame({'a': [1]}).sum(), int)\n")
    assert value(second, "ns.result") == 3 and value(second, "ns.patched") is False
    second.kill()


def test_warm_and_cold_grading_give_the_same_results(tmp_path, monkeypatch):
    """The same submissions graded through warm lanes and through cold processes score alike."""
    from autograder import pool
    from autograder.grading import grade_exercise

    catalog = cat.load_catalog()
    cases = []
    for exercise_id in ("27.1", "27.4"):
        exercise = catalog[exercise_id]
        for variant in ("reference", "starter"):
            cases.append((exercise, generate.write_variant(exercise, variant, tmp_path / variant)))
        mutant = next(m for m in exercise.mutants if m.typical)
        cases.append((exercise, generate.write_variant(exercise, "mutant", tmp_path / mutant.name, mutant)))

    def outcome(report):
        return [(t["name"], t["status"], t["score"]) for p in report["parts"] for t in p["tests"]]

    warm = [outcome(grade_exercise(e, path)) for e, path in cases]
    assert pool.default() is not None
    monkeypatch.setenv("AUTOGRADER_WARM", "0")
    cold = [outcome(grade_exercise(e, path)) for e, path in cases]
    assert warm == cold
    assert any(score for case in warm for _, _, score in case)  # not all zeros
    assert any(status != "passed" for case in warm for _, status, _ in case)


@pytest.mark.slow
def test_a_lane_s_services_forget_one_learner_before_the_next(tmp_path):
    """Moto buckets, Prefect flow runs and results, the Airflow DB and DAGs folder: all reset."""
    from autograder.warm import BASE_IMPORTS, SERVICE_IMPORTS, LaneServices

    services = LaneServices(tmp_path / "services")
    services.ensure(["moto", "prefect", "airflow"])
    imports = BASE_IMPORTS + SERVICE_IMPORTS["moto"] + SERVICE_IMPORTS["prefect"]
    z = Zygote(Limits(), dict(services.env), services.sandbox(), imports)
    try:
        z.start()
        services.reset()
        services.give(z.uid)
        first = WarmWorker(z, Limits(), dict(services.env))
        first.start()
        reply = first.request({"op": "load", "cells": [{"index": 1, "source": (
            "import os, sqlite3, boto3\n"
            "s3 = boto3.client('s3')\n"
            "s3.create_bucket(Bucket='answers')\n"
            "s3.put_object(Bucket='answers', Key='solution.txt', Body=b'42')\n"
            "from prefect import flow\n"
            "@flow(name='answer-keeper', persist_result=True)\n"
            "def keeper():\n"
            "    return 42\n"
            "keeper()\n"
            "home = os.environ['AIRFLOW_HOME']\n"
            "open(os.path.join(home, 'dags', 'planted.py'), 'w').write('x = 1')\n"
            "db = sqlite3.connect(os.path.join(home, 'airflow.db'))\n"
            "db.execute('create table planted (x)')\n"
            "db.commit()\n")}], "cell_timeout": 120}, 180)
        assert reply["cell_errors"] == [], reply
        first.kill()
        services.reset()
        services.give(z.uid)
        second = WarmWorker(z, Limits(), dict(services.env))
        second.start()
        reply = second.request({"op": "load", "cells": [{"index": 1, "source": (
            "import os, sqlite3, boto3, asyncio\n"
            "buckets = [b['Name'] for b in boto3.client('s3').list_buckets()['Buckets']]\n"
            "from prefect.client.orchestration import get_client\n"
            "async def runs():\n"
            "    async with get_client() as client:\n"
            "        return [r.name for r in await client.read_flow_runs()], [f.name for f in await client.read_flows()]\n"
            "flow_runs, flows = asyncio.run(runs())\n"
            "home = os.environ['AIRFLOW_HOME']\n"
            "dags = os.listdir(os.path.join(home, 'dags'))\n"
            "tables = [r[0] for r in sqlite3.connect(os.path.join(home, 'airflow.db')).execute(\n"
            "    \"select name from sqlite_master where name = 'planted'\")]\n"
            "prefect_home = sorted(os.listdir(os.environ['PREFECT_HOME']))\n")}], "cell_timeout": 120}, 180)
        assert reply["cell_errors"] == [], reply
        seen = {name: value(second, f"ns.{name}") for name in ("buckets", "flow_runs", "flows", "dags", "tables",
                                                               "prefect_home")}
        assert seen == {"buckets": [], "flow_runs": [], "flows": [], "dags": [], "tables": [], "prefect_home": []}, seen
        second.kill()
    finally:
        z.close()
        services.stop()


def test_a_learner_who_kills_the_lane_s_zygote_costs_the_next_learner_nothing(tmp_path):
    """Through the pool: the attacker's exercise is a zero with a reason, the next learner full marks."""
    from autograder.grading import grade_exercise

    exercise = cat.load_catalog()["27.1"]
    reference = generate.write_variant(exercise, "reference", tmp_path / "reference")
    attacker = tmp_path / "attacker" / reference.name
    attacker.parent.mkdir()
    nb = json.loads(reference.read_text())
    nb["cells"].insert(1, {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                           "source": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n"})
    attacker.write_text(json.dumps(nb))
    hit = grade_exercise(exercise, attacker)
    assert hit["auto_score"] == 0 and hit["feedback"]
    after = grade_exercise(exercise, reference)
    assert after["auto_score"] == exercise.auto_points, after["feedback"]


def test_a_killed_grading_run_leaves_no_lane_folder_behind(tmp_path):
    """`grade-class` interrupted with SIGKILL (the resume workflow): its lanes stop their services
    and zygotes and remove their folders; a folder a crashed lane left is swept by the next lane."""
    import signal
    import subprocess
    import sys
    import time

    from autograder import warm

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    dead = tmp / "autograder-lane-crashed"  # a lane that died without cleaning: its pid is gone
    (dead / "tmp").mkdir(parents=True)
    probe = subprocess.Popen([sys.executable, "-c", "pass"])
    probe.wait()
    (dead / warm.OWNER_FILE).write_text(str(probe.pid))
    alive = tmp / "autograder-lane-alive"  # another run's lane, still working: kept
    alive.mkdir()
    (alive / warm.OWNER_FILE).write_text(str(os.getpid()))

    exercise = cat.load_catalog()["27.1"]
    notebook = generate.write_variant(exercise, "reference", tmp_path / "reference")
    script = ("import sys, time\nfrom pathlib import Path\nfrom autograder import catalog, grading\n"
              "e = catalog.load_catalog()['27.1']\n"
              "grading.grade_exercise(e, Path(sys.argv[1]))\nprint('graded', flush=True)\ntime.sleep(600)\n")
    env = {**os.environ, "TMPDIR": str(tmp), "AUTOGRADER_WARM": "1"}

    def kill_and_wait_for_the_clean_up():
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 20
        while any(p != alive for p in tmp.glob("autograder-lane-*")) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [p.name for p in tmp.glob("autograder-*")] == [alive.name]

    proc = subprocess.Popen([sys.executable, "-c", script, str(notebook)], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "graded"
        lanes = [p for p in tmp.glob("autograder-lane-*") if p not in (alive,)]
        assert len(lanes) == 1 and lanes[0].name != dead.name, lanes  # the stale one was swept
        assert any(lanes[0].rglob("autograder-jail-*"))  # the sandbox's files live in the lane's folder
        assert not list(tmp.glob("autograder-jail-*")) and not list(tmp.glob("autograder-work-*"))
    finally:
        kill_and_wait_for_the_clean_up()

    # killed in the middle of a learner's job (a cell that sleeps): the same
    nb = json.loads(notebook.read_text())
    nb["cells"].insert(1, {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                           "source": "import time\ntime.sleep(25)\n"})
    notebook.write_text(json.dumps(nb))
    proc = subprocess.Popen([sys.executable, "-c", script, str(notebook)], env=env, stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not any(tmp.glob("autograder-lane-*/tmp/autograder-jail-*")) and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)  # the worker is in the learner's cell
        assert proc.poll() is None
    finally:
        kill_and_wait_for_the_clean_up()


@pytest.mark.slow
def test_a_job_sees_only_the_services_its_exercise_asked_for(tmp_path):
    """A lane keeps the moto server it started for an earlier exercise; a later exercise that did not
    ask for moto must not get its endpoint (its own ``moto.mock_aws()`` calls would go to the shared
    server instead, and find what another probe put there). Seen in verify: 27.5 after 27.10."""
    from dataclasses import asdict

    from autograder import pool

    test_file = tmp_path / "test_env.py"
    test_file.write_text(
        "from autograder.testing import expect, graded\n\n"
        "def env(ns):\n"
        "    import os\n"
        "    return sorted(k for k in os.environ if k.startswith(('AWS_', 'PREFECT_API')))\n\n"
        "@graded('a')\n"
        "def test_env(sub, services):\n"
        "    seen = sub.run(env)\n"
        "    expect(seen == sub.call('expected'), f'the worker saw {seen}')\n"
        "    expect(('s3_endpoint' in services) == bool(seen), f'the tests saw {sorted(services)}')\n")

    def job(services: list[str], expected: list[str]) -> dict:
        return {"tests": [str(test_file)], "visible": [], "limits": asdict(Limits()), "services": services,
                "cells": [{"index": 1, "source": f"def expected():\n    return {expected!r}\n"}]}

    lanes = pool.Pool(max_lanes=1)
    try:
        aws = ["AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_SECRET_ACCESS_KEY"]
        for services, expected in [(["moto"], aws), ([], []), (["moto"], aws), ([], [])]:
            events = lanes.run(job(services, expected), 240)
            tests = [e for e in events if e["type"] == "test"]
            assert [t["status"] for t in tests] == ["passed"], (services, tests or events)
    finally:
        lanes.close()
