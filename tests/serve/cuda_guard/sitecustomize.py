"""Loaded by every Python process of tests/serve/test_no_cuda_in_server.py (PYTHONPATH): CUDA
made to raise in the processes that start here, the server and the fork server, and every CUDA
entry point they call noted in PLAYGROUND_CUDA_GUARD_LOG. A child forked from the fork server (a
pool host) has another pid and may use CUDA: that is where training runs."""
import os

_LOG = os.environ.get("PLAYGROUND_CUDA_GUARD_LOG")
if _LOG:
    import torch
    import torch.cuda

    _home = os.getpid()  # a forked child inherits this module with its parent's pid here

    def _note(what: str) -> None:
        with open(_LOG, "a") as f:
            f.write(f"{os.getpid()} {what}\n")

    _note("guarded")
    _real_init, _real_available = torch.cuda._lazy_init, torch.cuda.is_available
    _real_count = torch.cuda.device_count

    def _lazy_init():  # C++ device initialisation calls this too (torch.utils device_lazy_init)
        if os.getpid() == _home:
            _note("lazy_init")
            raise RuntimeError("CUDA initialised in the server or the fork server")
        return _real_init()

    def _is_available():
        if os.getpid() == _home:
            _note("is_available")
        return _real_available()

    def _device_count():
        if os.getpid() == _home:
            _note("device_count")
        return _real_count()

    torch.cuda._lazy_init, torch.cuda.is_available = _lazy_init, _is_available
    torch.cuda.device_count = _device_count
