"""The bubblewrap layer around a worker: what the learner's process can see and do.

Inside: no network (loopback only, with relays to the exercise's services), its own pid, IPC and
UTS namespaces, a size-capped tmpfs as home and /tmp, and read-only views of only what Python
needs: the interpreter, the virtual environment, the companion package and a three-file copy of
the worker code. Not visible: solutions/, hidden tests, the grader's files, other submissions,
the parent's environment. As root, bubblewrap runs privileged and then drops, through setpriv, to
an unprivileged uid of its own per concurrent slot with an empty capability bounding set and
no_new_privs, so sandboxed code can neither remount the read-only binds nor regain privileges.
Where bubblewrap is missing, ``mode()`` says so and the caller falls back to process isolation.
"""
from __future__ import annotations

import fcntl
import functools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import autograder

SLOT_BASE_UID = 61000
SLOTS = 64
SLOT_DIR = Path(tempfile.gettempdir()) / "orchestration-course-slots"
HOME = "/home/learner"
WORKER_FILES = ("__init__.py", "worker.py", "protocol.py", "zygote.py")
WARNING = ("warning: bubblewrap is not available, so grading uses process isolation only; "
           "this protects against accidents (loops, crashes, huge output), not against cheating")


@functools.cache
def mode() -> str:
    """'bubblewrap' when a test sandbox starts here, else 'process' (set AUTOGRADER_SANDBOX to force)."""
    forced = os.environ.get("AUTOGRADER_SANDBOX")
    if forced in ("bubblewrap", "process"):
        return forced
    if not sys.platform.startswith("linux") or shutil.which("bwrap") is None:
        return "process"
    try:
        probe = subprocess.run(["bwrap", "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid", "true"],
                               capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "process"
    return "bubblewrap" if probe.returncode == 0 else "process"


class Slot:
    """An exclusive slot (and, as root, its own uid) for one concurrently running worker."""

    def __init__(self):
        SLOT_DIR.mkdir(mode=0o700, exist_ok=True)
        for number in range(SLOTS):
            handle = open(SLOT_DIR / f"slot-{number}.lock", "w")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            self.number, self._handle = number, handle
            self.uid = SLOT_BASE_UID + number if os.geteuid() == 0 else os.geteuid()
            self.gid = SLOT_BASE_UID + number if os.geteuid() == 0 else os.getegid()
            return
        raise RuntimeError(f"all {SLOTS} sandbox slots are busy")

    def release(self) -> None:
        self._handle.close()


def _parents(path: Path) -> list[str]:
    """--dir options (mode 0755) for every parent of a bind target, so the slot user can reach it."""
    args = []
    for parent in reversed(path.parents):
        if str(parent) != "/":
            args += ["--perms", "0755", "--dir", str(parent)]
    return args


def _worker_copy(root: Path) -> Path:
    """Just the worker's three modules, so the sandbox sees no other grader file."""
    target = root / "autograder"
    target.mkdir(parents=True)
    source = Path(autograder.__file__).parent
    for name in WORKER_FILES:
        shutil.copyfile(source / name, target / name)
    return target


class Relay:
    """Expose a TCP service (e.g. the moto server) to the sandbox through a Unix socket."""

    def __init__(self, folder: Path, name: str, host: str, port: int):
        self.path = folder / f"{name}.sock"
        self.target = (host, port)
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(self.path))
        os.chmod(self.path, 0o777)
        self.server.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=10)
            except OSError:
                client.close()
                continue
            pipe(client, upstream)

    def close(self) -> None:
        self.server.close()


def pipe(a: socket.socket, b: socket.socket) -> None:
    def copy(src, dst):
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

    threading.Thread(target=copy, args=(a, b), daemon=True).start()
    threading.Thread(target=copy, args=(b, a), daemon=True).start()


class Jail:
    """Everything one sandboxed worker needs outside of it: slot, binds, relays, temp files."""

    def __init__(self, tmpfs_bytes: int, writable: list[str], relays: dict[str, tuple[str, int]],
                 readable: list[str] = ()):
        self.slot = Slot()
        self.root = Path(tempfile.mkdtemp(prefix="autograder-jail-"))
        self.worker_pkg = _worker_copy(self.root / "pkg")
        self.sockets = self.root / "sockets"
        self.sockets.mkdir()
        self.relays = [Relay(self.sockets, name, host, port) for name, (host, port) in relays.items()]
        os.chmod(self.sockets, 0o755)
        os.chmod(self.root, 0o755)
        (self.root / "passwd").write_text(f"root:x:0:0::/root:/usr/sbin/nologin\n"
                                          f"learner:x:{self.slot.uid}:{self.slot.gid}::{HOME}:/usr/sbin/nologin\n")
        (self.root / "group").write_text(f"root:x:0:\nlearner:x:{self.slot.gid}:\n")
        for path in writable:
            self._give(Path(path))
        self.tmpfs_bytes, self.writable, self.readable = tmpfs_bytes, writable, list(readable)

    def _give(self, path: Path) -> None:
        if os.geteuid() == 0:
            for dirpath, _, filenames in os.walk(path):
                os.chown(dirpath, self.slot.uid, self.slot.gid)
                for name in filenames:
                    os.chown(os.path.join(dirpath, name), self.slot.uid, self.slot.gid)

    def command(self, argv: list[str], env: dict[str, str], pass_fds: tuple[int, ...]) -> list[str]:
        """The bwrap command line that runs ``argv`` (a python -m autograder.worker call) inside."""
        python_home = Path(sys.base_prefix).resolve()
        venv = Path(sys.prefix)
        package_dir = Path(autograder.__file__).resolve().parent
        pipelinekit_dir = self._pipelinekit_dir()
        args = ["bwrap", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                "--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr"]
        for name in ("lib", "lib64", "bin", "sbin"):
            if os.path.islink(f"/{name}"):
                args += ["--symlink", os.readlink(f"/{name}"), f"/{name}"]
            elif os.path.isdir(f"/{name}"):
                args += ["--ro-bind", f"/{name}", f"/{name}"]
        for etc in ("/etc/ssl", "/etc/ca-certificates", "/etc/localtime", "/etc/alternatives", "/etc/mime.types"):
            if os.path.exists(etc):
                args += ["--ro-bind", etc, etc]
        args += ["--ro-bind", str(self.root / "passwd"), "/etc/passwd", "--ro-bind", str(self.root / "group"), "/etc/group"]
        hosts = self.root / "hosts"
        hosts.write_text("127.0.0.1 localhost\n::1 localhost\n")
        args += ["--ro-bind", str(hosts), "/etc/hosts"]
        # tmpfs mounts first: binds of paths under /tmp (services, projects) go on top of them
        args += ["--proc", "/proc", "--dev", "/dev",
                 "--size", str(self.tmpfs_bytes), "--perms", "1777", "--tmpfs", "/tmp",
                 "--size", str(self.tmpfs_bytes), "--perms", "0777", "--tmpfs", HOME]
        binds = [(python_home, python_home), (venv, venv), (self.worker_pkg, package_dir)]
        if pipelinekit_dir is not None:
            binds.append((pipelinekit_dir, pipelinekit_dir))
        binds += [(Path(p), Path(p)) for p in self.readable]
        for source, target in binds:
            args += _parents(target) + ["--ro-bind", str(source), str(target)]
        for path in self.writable:
            args += _parents(Path(path)) + ["--bind", path, path]
        args += _parents(Path("/run/grader")) + ["--bind", str(self.sockets), "/run/grader"]  # connect() needs rw; dir is root-owned 0755
        args += ["--chdir", HOME, "--clearenv"]
        for key, value in env.items():
            args += ["--setenv", key, value]
        args += ["--setenv", "HOME", HOME, "--setenv", "TMPDIR", "/tmp", "--setenv", "USER", "learner"]
        if os.geteuid() == 0:
            args += ["setpriv", f"--reuid={self.slot.uid}", f"--regid={self.slot.gid}", "--clear-groups",
                     "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]
        return args + argv

    @staticmethod
    def _pipelinekit_dir() -> Path | None:
        try:
            import pipelinekit
        except ImportError:
            return None
        return Path(pipelinekit.__file__).resolve().parent

    def close(self) -> None:
        for relay in self.relays:
            relay.close()
        self.slot.release()
        shutil.rmtree(self.root, ignore_errors=True)
