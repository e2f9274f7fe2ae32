"""``genhpo deepcave``: DeepCAVE's own interface started on an export, driven in headless Chromium.

The browser test needs Debian's ``redis-server``, ``chromium`` and ``chromium-driver`` (the set-up
installs them when it runs as root); elsewhere it is skipped with the reason, except under CI, where
a missing piece fails it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from genhpo.report.deepcave import export_deepcave
from genhpo.report.deepcave_app import DeepCAVEError, export_root, serve
from genhpo.runner.manifest import Experiment
from tests.fixtures import interruptible_children
from tests.runner.conftest import make_store

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
#: set to a folder to keep the screenshots (the README's comes from here)
SCREENSHOTS = os.environ.get("GENHPO_SCREENSHOTS")


def _needs(*programs: str) -> None:
    missing = [p for p in programs if not (shutil.which(p) or Path(p).exists())]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must have {missing} (scripts/setup_env.sh installs Debian's packages as root)")
        pytest.skip(f"needs {missing}: Debian's redis-server, chromium and chromium-driver")


@pytest.fixture(scope="module")
def experiment(tmp_path_factory, nb201_cifar10) -> Path:
    """Two optimizers x two seeds x 15 evaluations on NB201 cifar10, exported for DeepCAVE."""
    root = tmp_path_factory.mktemp("deepcave-exp")
    make_store(root, Experiment("nb201", ("cifar10",), ("rs", "re"), 2, 15), nb201_cifar10)
    assert len(export_deepcave(root)) == 4
    return root


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ours_running(marker: str) -> list[str]:
    """Command lines of running processes that mention ``marker`` (DeepCAVE's or redis started by us)."""
    out = subprocess.run(["ps", "-eww", "-o", "args"], capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if marker in line and not line.startswith("ps ")]


def test_export_root_and_missing_export(experiment, tmp_path):
    assert export_root(experiment) == experiment / "deepcave" / "nb201-cifar10"
    with pytest.raises(DeepCAVEError, match="genhpo export-deepcave"):
        export_root(tmp_path)
    (tmp_path / "deepcave").mkdir()
    with pytest.raises(DeepCAVEError, match="no exported run"):
        export_root(tmp_path)
    with pytest.raises(DeepCAVEError, match=f"is \\(inside\\) an export itself.*e.g. {experiment}"):
        export_root(experiment / "deepcave")  # the export folder itself, a common slip
    with pytest.raises(DeepCAVEError, match="does not exist"):
        export_root(tmp_path / "nowhere")


@pytest.mark.parametrize("port", ["99999", "0", "http"])
def test_cli_refuses_a_port_outside_1_to_65535(tmp_path, port):
    result = subprocess.run([sys.executable, "-m", "genhpo.cli", "deepcave", str(tmp_path), "--port", port],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2 and "expected a port number 1..65535" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_without_export_is_one_line_and_code_1(tmp_path):
    result = subprocess.run([sys.executable, "-m", "genhpo.cli", "deepcave", str(tmp_path)],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("genhpo deepcave: error:") and "Traceback" not in result.stderr
    assert "genhpo export-deepcave" in result.stderr


def test_missing_redis_server_names_what_to_install(experiment, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(DeepCAVEError, match="redis-server is not on PATH.*apt-get install redis-server"), \
            serve(export_root(experiment)):
        pass


def test_busy_ports_are_refused_and_a_users_redis_is_left_alone(experiment):
    _needs("redis-server")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(DeepCAVEError, match=f"port {port} on 127.0.0.1 is in use"), \
                serve(export_root(experiment), port=port):
            pass
    users_port = _free_port()
    users = subprocess.Popen(["redis-server", "--port", str(users_port), "--save", "", "--appendonly", "no"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        with pytest.raises(DeepCAVEError, match=f"a redis server already answers on port {users_port}"), \
                serve(export_root(experiment), port=_free_port(), redis_port=users_port):
            pass
        assert users.poll() is None  # the user's redis server still runs
    finally:
        users.terminate()
        users.wait()


def test_deepcave_in_headless_chromium(experiment, tmp_path):
    """Start DeepCAVE on the export, select the runs of both optimizers on its General page, open the
    Overview and "Cost Over Time" pages: the runs' names and plots appear; everything stops after."""
    _needs("redis-server", CHROMIUM, CHROMEDRIVER)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1400,2400", f"--user-data-dir={tmp_path / 'chromium'}"):
        options.add_argument(flag)
    shots = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path  # the plot's picture (the README's)
    shots.mkdir(parents=True, exist_ok=True)
    names = ["re-seed-0", "re-seed-1", "rs-seed-0", "rs-seed-1"]
    with serve(export_root(experiment), port=_free_port()) as app:
        marker = str(app.processes["server"].args[-1])  # the config file: unique to this DeepCAVE
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        try:
            wait = WebDriverWait(driver, 90)
            driver.get(app.url)
            add = "//div[@id='general-available-runs-container']//button[text()='+']"
            remove = "//div[@id='general-selected-runs-container']//button[text()='-']"
            wait.until(lambda d: len(d.find_elements(By.XPATH, add)) == 4)
            for i in range(4):
                driver.find_elements(By.XPATH, add)[i].click()
                wait.until(lambda d, i=i: len(d.find_elements(By.XPATH, remove)) == i + 1)
            selected = driver.find_element(By.ID, "general-selected-runs-container").text
            assert all(name in selected for name in names), selected
            driver.save_screenshot(str(tmp_path / "deepcave-general.png"))

            driver.get(app.url + "/plugins/overview")
            wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".js-plotly-plot")))
            assert "Overview" in driver.find_element(By.TAG_NAME, "h1").text
            driver.save_screenshot(str(tmp_path / "deepcave-overview.png"))

            driver.get(app.url + "/plugins/cost_over_time")
            plot = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".js-plotly-plot")))
            wait.until(lambda d: all(name in plot.text for name in names))  # one trace per run, in the legend
            assert len(driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot .scatterlayer .trace")) >= 4
            driver.execute_script("arguments[0].scrollIntoView();", plot)
            plot.screenshot(str(shots / "deepcave-cost-over-time.png"))
        finally:
            driver.quit()
    assert (shots / "deepcave-cost-over-time.png").stat().st_size > 10_000
    assert all(p.poll() is not None for p in app.processes.values())  # redis, worker and server stopped
    assert _ours_running(marker) == []  # and nothing they started (rq's work horses) is left


@contextlib.contextmanager
def _cli(experiment: Path):
    """``genhpo deepcave`` in its own process, yielded with its address once it printed it; interrupted
    (Ctrl-C) at the end if it still runs, also when the test fails."""
    with interruptible_children():
        proc = subprocess.Popen([sys.executable, "-m", "genhpo.cli", "deepcave", str(experiment), "--port",
                                 str(_free_port())], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stdout:
            if line.startswith("DeepCAVE: http://"):
                yield proc, line.split()[1]
                return
        raise AssertionError(f"genhpo deepcave ended before serving: {proc.wait()} {proc.stderr.read()}")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)


def _genhpo_deepcave_processes() -> list[str]:
    """Running processes of any DeepCAVE that genhpo started (its settings folder, its redis)."""
    return _ours_running("genhpo_deepcave_settings") + _ours_running("--dir /tmp/genhpo-deepcave-")


def test_cli_ctrl_c_and_a_dead_server_stop_everything(experiment):
    """Ctrl-C ends ``genhpo deepcave`` with code 0 and nothing left; so does DeepCAVE's server exiting
    (its Exit button) while the command waits."""
    _needs("redis-server")
    if _genhpo_deepcave_processes():  # the checks below count processes of any genhpo DeepCAVE
        pytest.skip("another `genhpo deepcave` runs on this machine")
    with _cli(experiment) as (proc, url):
        with urllib.request.urlopen(url, timeout=10) as page:
            assert page.status == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
        assert "stopped DeepCAVE" in proc.stderr.read()
    assert _genhpo_deepcave_processes() == []

    with _cli(experiment) as (proc, url):
        servers = [line for line in _ours_running("deepcave/server.py") if "genhpo_deepcave_settings" in line]
        assert len(servers) == 1
        subprocess.run(["pkill", "-f", "deepcave/server.py --config .*genhpo_deepcave_settings"], check=True)
        assert proc.wait(timeout=60) == 0
        assert "server process exited" in proc.stdout.read()
    assert _genhpo_deepcave_processes() == []
