"""``genhpo deepcave DIR``: DeepCAVE's own interface on a comparison's export, started and stopped as one.

DeepCAVE 1.4.1 runs as three processes: a redis server (its job queue), an ``rq`` worker and a Dash
server (``deepcave/worker.py``, ``deepcave/server.py``, both reading a config class). Its own start
script (``deepcave --open``) needs the environment activated and silently stops when a piece is
missing; :func:`serve` starts the same three with this interpreter instead:

- a private redis server on a free port (``--redis-port`` to choose one; a port where a redis server
  already answers is refused, never shared or stopped), keeping nothing on disk;
- a DeepCAVE config (a subclass of ``deepcave.config.Config`` in a temporary folder) with the Dash
  port and address, that redis port, a cache folder of its own (DeepCAVE's default cache lives in
  its installed package and remembers the last working directory) and the working directory set to
  the export: ``DIR/deepcave/<benchmark>-<dataset>`` when there is one, else ``DIR/deepcave``;
- the worker and the server, each in its own process group; :func:`serve` returns once the server
  answers HTTP, and stops all three (SIGTERM, then SIGKILL after 10 s) when the ``with`` block ends,
  also on an exception or Ctrl-C.

Errors name what to do: no export (run ``genhpo export-deepcave DIR``), no ``redis-server`` (install
Debian's ``redis-server``; without root, ``conda install -c conda-forge redis`` or a build from
redis.io on PATH), a port in use, a process that exits during start-up (its last output is shown).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

#: how long the server may take to answer its first request (DeepCAVE imports its plugins first)
STARTUP_TIMEOUT_S = 120.0

_CONFIG = '''"""DeepCAVE settings written by genhpo deepcave."""
from pathlib import Path

from deepcave.config import Config as _Base


class Config(_Base):
    DASH_ADDRESS = {host!r}
    DASH_PORT = {port!r}
    REDIS_ADDRESS = "redis://127.0.0.1"
    REDIS_PORT = {redis_port!r}
    META_DEFAULT = {{"working_dir": {working_dir!r}, "selected_run_paths": [], "groups": {{}}}}

    @property
    def CACHE_DIR(self) -> Path:
        return Path({cache!r})
'''


class DeepCAVEError(RuntimeError):
    """DeepCAVE cannot be started; the message says why and what to do."""


@dataclass
class DeepCAVEApp:
    """A running DeepCAVE: its address, working directory and the processes :func:`serve` started."""

    url: str
    working_dir: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def exited(self) -> str | None:
        """The name of a process that has exited (DeepCAVE is then broken), or None."""
        return next((name for name, p in self.processes.items() if p.poll() is not None), None)


def export_root(experiment: Path) -> Path:
    """The folder DeepCAVE opens for an experiment: its single ``<benchmark>-<dataset>`` export, else
    ``DIR/deepcave``; DeepCAVEError when DIR has no export."""
    experiment = Path(experiment)
    if not experiment.is_dir():
        raise DeepCAVEError(f"{experiment} does not exist: pass the experiment directory of `genhpo compare --out`")
    root = experiment / "deepcave"
    if not root.is_dir():
        if any(experiment.glob("*/trials.csv")) or any(experiment.glob("*/*/trials.csv")):
            raise DeepCAVEError(f"{experiment} is (inside) an export itself: pass the experiment directory that "
                                f"holds deepcave/ (e.g. {experiment.parent if experiment.name == 'deepcave' else experiment.parent.parent})")
        raise DeepCAVEError(f"{experiment} has no DeepCAVE export ({root} is missing): run "
                            f"`genhpo export-deepcave {experiment}` first")
    groups = sorted(p for p in root.iterdir() if p.is_dir() and any(p.glob("*/trials.csv")))
    if not groups:
        raise DeepCAVEError(f"{root} holds no exported run (no */*/trials.csv): run "
                            f"`genhpo export-deepcave {experiment}` again")
    return groups[0] if len(groups) == 1 else root


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _redis_answers(port: int) -> bool:
    import redis  # DeepCAVE's queue (rq) depends on it

    try:
        return bool(redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5).ping())
    except redis.exceptions.RedisError:
        return False


def _tail(path: Path, n: int = 2000) -> str:
    try:
        return path.read_text(errors="replace")[-n:]
    except OSError:
        return ""


@contextlib.contextmanager
def _uninterruptible() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block ends (a second Ctrl-C must not cut the clean-up short)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, frame: received.append(signum))
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop(processes: dict[str, subprocess.Popen], grace_s: float = 10.0) -> None:
    """SIGTERM every process group started here, then SIGKILL what is left after ``grace_s``; Ctrl-C
    meanwhile does not interrupt it."""
    with _uninterruptible():
        _terminate(processes, grace_s)


def _terminate(processes: dict[str, subprocess.Popen], grace_s: float) -> None:
    for p in processes.values():
        if p.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    for p in processes.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        if p.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    for p in processes.values():  # children of a process group leader (rq's work horse) too
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(p.pid, signal.SIGKILL)


@contextlib.contextmanager
def serve(working_dir: Path, *, port: int = 8050, host: str = "127.0.0.1", redis_port: int | None = None,
          startup_timeout_s: float = STARTUP_TIMEOUT_S) -> Iterator[DeepCAVEApp]:
    """Run DeepCAVE on ``working_dir`` (a folder of DeepCAVE runs) for the duration of the ``with`` block.

    Args:
        working_dir: the folder DeepCAVE's General page opens (e.g. :func:`export_root` of an experiment).
        port: the Dash server's TCP port (DeepCAVE's default 8050); DeepCAVEError if it is in use.
        host: the address the server listens on (127.0.0.1: this machine only).
        redis_port: the private redis server's port (None: a free one); DeepCAVEError if a redis
            server already answers there (it is neither shared nor stopped).
        startup_timeout_s: seconds to wait for the first HTTP answer.

    Yields:
        the running :class:`DeepCAVEApp`; everything is stopped when the block ends.

    Raises:
        DeepCAVEError: a missing redis-server or DeepCAVE, a port in use, or a process that exited
            during start-up (with its last output).
    """
    working_dir = Path(working_dir).resolve()
    if not working_dir.is_dir():
        raise DeepCAVEError(f"working directory {working_dir} does not exist")
    for name, value in (("port", port), ("redis_port", redis_port)):
        if value is not None and not (isinstance(value, int) and 1 <= value <= 65535):
            raise DeepCAVEError(f"{name} must be a port number 1..65535, got {value!r}")
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        raise DeepCAVEError("redis-server is not on PATH: DeepCAVE needs it for its job queue. Install Debian's "
                            "package (`apt-get install redis-server`, as make's set-up does when run as root); "
                            "without root, `conda install -c conda-forge redis` or a build from redis.io on PATH")
    try:
        import deepcave
    except ImportError as exc:
        raise DeepCAVEError(f"DeepCAVE is not importable ({exc}): run `make setup` (scripts/setup_env.sh)") from exc
    package = Path(deepcave.__file__).parent
    if not _port_free(host, port):
        raise DeepCAVEError(f"port {port} on {host} is in use (another DeepCAVE?): pass another --port")
    if redis_port is None:
        redis_port = _free_port("127.0.0.1")
    elif _redis_answers(redis_port):
        raise DeepCAVEError(f"a redis server already answers on port {redis_port}; genhpo starts its own and "
                            "leaves that one alone: pass another --redis-port, or none for a free port")
    elif not _port_free("127.0.0.1", redis_port):
        raise DeepCAVEError(f"port {redis_port} is in use: pass another --redis-port, or none for a free port")

    processes: dict[str, subprocess.Popen] = {}
    with tempfile.TemporaryDirectory(prefix="genhpo-deepcave-") as tmp:
        tmp_path = Path(tmp)
        package_dir = tmp_path / "genhpo_deepcave_settings"
        package_dir.mkdir()
        config_file = package_dir / "config.py"
        config_file.write_text(_CONFIG.format(host=host, port=port, redis_port=redis_port,
                                              working_dir=str(working_dir), cache=str(tmp_path / "cache")))
        env = dict(os.environ)
        # DeepCAVE imports its config as <folder>.<module>: the folder's parent must be importable
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tmp_path), env.get("PYTHONPATH")]))
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        logs = {name: tmp_path / f"{name}.log" for name in ("redis", "worker", "server")}
        commands = {
            "redis": [redis_server, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                      "--appendonly", "no", "--dir", str(tmp_path)],
            "worker": [sys.executable, str(package / "worker.py"), "--config", str(config_file)],
            "server": [sys.executable, str(package / "server.py"), "--config", str(config_file)],
        }
        app = DeepCAVEApp(url=f"http://{host}:{port}", working_dir=working_dir, processes=processes)
        try:
            for name, command in commands.items():
                with open(logs[name], "wb") as log:
                    processes[name] = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=log,
                                                       stderr=subprocess.STDOUT, start_new_session=True)
                if name == "redis":
                    _wait(lambda: _redis_answers(redis_port), app, logs, 30.0, "redis-server")
            _wait(lambda: _answers(app.url), app, logs, startup_timeout_s, "DeepCAVE's server")
            yield app
        finally:
            _stop(processes)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # our own server on this machine
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _wait(ready, app: DeepCAVEApp, logs: dict[str, Path], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not ready():
        dead = app.exited()
        if dead is not None:
            raise DeepCAVEError(f"DeepCAVE's {dead} process exited during start-up (code "
                                f"{app.processes[dead].returncode}); its last output:\n{_tail(logs[dead])}")
        if time.monotonic() > deadline:
            raise DeepCAVEError(f"{what} did not answer within {timeout_s:.0f} s; the server's last output:\n"
                                f"{_tail(logs['server'])}")
        time.sleep(0.2)
