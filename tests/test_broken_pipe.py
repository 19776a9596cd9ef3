"""`circulars list | head -1`: the reader goes away, and the command ends quietly."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import circular_yaml, write

# far more than a pipe holds (64 KiB on Linux), so that the writer meets the closed pipe
MANY = 700


@pytest.mark.parametrize("args", [("list",), ("list", "--json"), ("schema",)])
def test_a_reader_that_stops_early_gets_no_message(project, args):
    for n in range(MANY):
        circular_id = f"panzhihua-2024-{n + 1000}"
        write(project, f"circulars/2024/{circular_id}.yaml", circular_yaml(circular_id, n + 1000))
    argv = [sys.executable, "-m", "generator", "-C", str(project), *args]
    assert len(subprocess.run(argv, capture_output=True, check=True).stdout) > 2**16
    command = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    first = command.stdout.readline()  # as `head -1` does, and then it exits
    command.stdout.close()
    errors = command.stderr.read().decode()
    command.wait(timeout=60)
    assert first.strip()
    assert errors == ""  # no "Broken pipe", no traceback
    assert command.returncode in (0, 1)  # Click's exit on a closed pipe is 1
