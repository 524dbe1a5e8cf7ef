"""The untrusted side: runs a learner's notebook cells, then answers the tests' probes.

Started by the runner as ``python -I -m autograder.worker IN_FD OUT_FD LIMITS_JSON``. It applies
its resource limits before any learner code runs, executes the cells one by one (an error in one
cell is recorded and the next cell still runs), then serves probe requests: the source of a small
function written by the test author, called with the learner's namespace. Only plain JSON data
goes back; the verdict is computed on the trusted side.
"""
from __future__ import annotations

import builtins
import contextlib
import json
import linecache
import os
import resource
import signal
import sys
import traceback
import types

from autograder import protocol

CELL_PREFIX = "<cell "
CELL_MARKER = "[autograder] running cell "  # written to stderr before each cell: where a dead worker was
MESSAGE_CAP = 1000


class GraderTimeout(BaseException):
    """Raised by the alarm; a BaseException so `except Exception` in learner code lets it pass."""


class MissingName(AttributeError):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class Namespace:
    """Read-only attribute view of the learner's notebook namespace, given to probes."""

    def __init__(self, module: types.ModuleType):
        object.__setattr__(self, "_module", module)

    def __getattr__(self, name: str):
        try:
            return self._module.__dict__[name]
        except KeyError:
            raise MissingName(name) from None

    def has(self, name: str) -> bool:
        return name in self._module.__dict__

    def names(self) -> list[str]:
        return [n for n in self._module.__dict__ if not n.startswith("__")]


def apply_limits(limits: dict) -> None:
    table = {
        "memory_bytes": resource.RLIMIT_AS,
        "cpu_seconds": resource.RLIMIT_CPU,
        "file_size_bytes": resource.RLIMIT_FSIZE,
        "open_files": resource.RLIMIT_NOFILE,
        "processes": resource.RLIMIT_NPROC,
    }
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for key, which in table.items():
        value = limits.get(key)
        if value:
            hard = resource.getrlimit(which)[1]
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (value, value))


@contextlib.contextmanager
def alarm(seconds: float | None):
    if not seconds:
        yield
        return

    def on_alarm(signum, frame):
        raise GraderTimeout()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _safe_str(exc: BaseException) -> str:
    try:
        text = str(exc)
    except BaseException:  # a learner's exception whose __str__ fails
        text = "<message could not be read>"
    return text if len(text) <= MESSAGE_CAP else text[:MESSAGE_CAP] + " ..."


def describe(exc: BaseException) -> dict:
    """A learner-readable account of an exception: type, message, and the learner's frames."""
    frames = traceback.extract_tb(exc.__traceback__)
    learner = [f for f in frames if f.filename.startswith(CELL_PREFIX)]
    text = "".join(traceback.format_list(learner[-5:])) if learner else ""
    return {
        "type": type(exc).__name__,
        "message": _safe_str(exc),
        "traceback": text[-4000:],
        "in_learner_code": bool(learner),
        "where": learner[-1].filename.strip("<>") if learner else None,
        "line": learner[-1].lineno if learner else None,
    }


def last_cell(output: str) -> int | None:
    """The cell a worker announced last in its output, or None."""
    pos = output.rfind(CELL_MARKER)
    if pos < 0:
        return None
    digits = output[pos + len(CELL_MARKER):].split("\n", 1)[0].strip()
    return int(digits) if digits.isdigit() else None


def _plain(obj):
    """json's fallback: numpy scalars and arrays become plain values; anything else is refused."""
    if type(obj).__module__ == "numpy" and hasattr(obj, "tolist"):
        return obj.tolist()
    raise TypeError(f"a value of type {type(obj).__name__} cannot be sent back to the grader")


class _IPythonStub:
    """Enough of get_ipython() for notebooks that call it; every method does nothing."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def run_cells(module: types.ModuleType, cells: list[dict], cell_timeout: float, announce: bool = True) -> list[dict]:
    errors = []
    for cell in cells:
        index, source = cell["index"], cell["source"]
        first = next((line.strip() for line in source.splitlines() if line.strip() and not line.lstrip().startswith("#")), "")
        before = len(errors)
        filename = f"{CELL_PREFIX}{index}>"
        if announce:  # the runner reads the last marker to say where a dead worker was
            os.write(2, f"\n{CELL_MARKER}{index}\n".encode())
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        try:
            code = compile(source, filename, "exec", dont_inherit=True)  # no __future__ flags of ours
            with alarm(cell_timeout):
                exec(code, module.__dict__)
        except GraderTimeout:
            errors.append({"cell": index, "type": "Timeout",
                           "message": f"the cell ran for more than {cell_timeout:g} s and was stopped",
                           "traceback": "", "in_learner_code": True})
        except SyntaxError as exc:
            errors.append({"cell": index, "type": "SyntaxError",
                           "message": f"{exc.msg} (line {exc.lineno})", "traceback": "",
                           "in_learner_code": True})
        except BaseException as exc:  # noqa: BLE001 - SystemExit and friends are learner errors too
            errors.append({"cell": index, **describe(exc)})
        if len(errors) > before:
            errors[-1]["first_line"] = first[:80]
    return errors


def load_project(source: str) -> None:
    """Work on a private copy of the learner's project, importable from its root and src/."""
    import shutil

    target = os.path.join(os.getcwd(), "project")
    # Links are copied as links: one pointing outside the submission dangles in the sandbox.
    shutil.copytree(source, target, symlinks=True, ignore_dangling_symlinks=True,
                    ignore=shutil.ignore_patterns(".venv", "__pycache__", ".git", "*.pyc", ".pytest_cache"))
    os.chdir(target)
    for folder in (os.path.join(target, "src"), target):
        if os.path.isdir(folder):
            sys.path.insert(0, folder)


def run_probe(module: types.ModuleType, request: dict) -> dict:
    scope = {"__builtins__": builtins, "__name__": "grader_probe"}
    try:
        for source in [*request.get("helpers", []), request["source"]]:
            exec(compile(source, "<grader check>", "exec", dont_inherit=True), scope)
        probe = scope[request["name"]]
    except BaseException as exc:  # a broken probe is the test author's bug
        return {"ok": False, "kind": "probe_error", **describe(exc)}
    try:
        with alarm(request.get("timeout")):
            value = probe(Namespace(module), *request.get("args", []))
    except MissingName as exc:
        return {"ok": False, "kind": "missing", "name": exc.name, "type": "MissingName",
                "message": exc.name, "traceback": "", "in_learner_code": False}
    except GraderTimeout:
        return {"ok": False, "kind": "timeout", "type": "Timeout", "message": "", "traceback": "",
                "in_learner_code": True}
    except BaseException as exc:  # noqa: BLE001
        return {"ok": False, "kind": "exception", **describe(exc)}
    try:
        text = json.dumps(value, default=_plain, allow_nan=True)
    except (TypeError, ValueError, RecursionError) as exc:
        return {"ok": False, "kind": "unserializable", "type": type(exc).__name__,
                "message": _safe_str(exc), "traceback": "", "in_learner_code": False}
    if len(text) > protocol.MAX_MESSAGE // 2:
        return {"ok": False, "kind": "unserializable", "type": "TooLarge",
                "message": f"the result is {len(text)} bytes long", "traceback": "",
                "in_learner_code": False}
    return {"ok": True, "value": json.loads(text)}


def start_relays(spec: str) -> None:
    """Inside the sandbox (no network), listen on loopback and relay to the services' sockets."""
    import socket
    import threading

    def serve(name: str, port: int) -> None:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen(64)

        def handle(client):
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                upstream.connect(f"/run/grader/{name}.sock")
            except OSError:
                client.close()
                return
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=_copy, args=(src, dst), daemon=True).start()

        def loop():
            while True:
                client, _ = server.accept()
                handle(client)

        threading.Thread(target=loop, daemon=True).start()

    for item in filter(None, spec.split(",")):
        name, port = item.split("=")
        serve(name, int(port))


def _copy(src, dst) -> None:
    import socket

    try:
        while chunk := src.recv(65536):
            dst.sendall(chunk)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(in_fd: int, out_fd: int) -> int:
    """Answer load/run requests on the channel until it closes (one learner's worker)."""
    module = types.ModuleType("submission")
    module.__dict__.update(display=lambda *a, **k: None, get_ipython=_IPythonStub)
    sys.modules["submission"] = module
    while True:
        try:
            request = protocol.recv(in_fd)
        except protocol.ChannelClosed:
            return 0
        op = request.get("op")
        if op == "load":
            if request.get("project"):
                load_project(request["project"])
            errors = run_cells(module, request["cells"], request.get("cell_timeout", 30.0))
            reply = {"ok": True, "cell_errors": errors}
        elif op == "run":
            reply = run_probe(module, request)
        elif op == "bye":
            return 0
        else:
            reply = {"ok": False, "kind": "protocol", "message": f"unknown op {op!r}"}
        protocol.send(out_fd, reply)


def main(argv: list[str]) -> int:
    in_fd, out_fd = int(argv[0]), int(argv[1])
    limits = json.loads(argv[2]) if len(argv) > 2 else {}
    # Keep the channel out of the way of code that closes or reuses low descriptors.
    in_fd, out_fd = os.dup2(in_fd, 250), os.dup2(out_fd, 251)
    for fd in (int(argv[0]), int(argv[1])):
        if fd not in (in_fd, out_fd):
            os.close(fd)
    if os.environ.get("AUTOGRADER_RELAYS"):
        start_relays(os.environ.pop("AUTOGRADER_RELAYS"))
    apply_limits(limits)
    return serve(in_fd, out_fd)


if __name__ == "__main__":
    os.environ["AUTOGRADER_WORKER"] = "1"
    if sys.argv[1:2] == ["--zygote"]:
        from autograder import zygote

        sys.exit(zygote.main(sys.argv[2:]))
    sys.exit(main(sys.argv[1:]))
