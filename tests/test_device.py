"""default_device: CUDA, else MPS, else CPU, unless LEGENDRE_DEVICE says otherwise."""

import pytest
import torch

from legendre import default_device


@pytest.fixture
def machine(monkeypatch):
    """Pretend to be a machine with the given backends."""
    monkeypatch.delenv("LEGENDRE_DEVICE", raising=False)

    def have(cuda: bool, mps: bool) -> None:
        monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)

    return have


@pytest.mark.parametrize(
    ("cuda", "mps", "expected"),
    [(True, True, "cuda"), (True, False, "cuda"), (False, True, "mps"), (False, False, "cpu")],
)
def test_default_device_prefers_cuda_then_mps_then_cpu(machine, cuda, mps, expected):
    machine(cuda=cuda, mps=mps)
    assert default_device() == torch.device(expected)


def test_environment_variable_overrides_the_choice(machine, monkeypatch):
    machine(cuda=True, mps=False)
    monkeypatch.setenv("LEGENDRE_DEVICE", "cpu")
    assert default_device() == torch.device("cpu")


@pytest.mark.parametrize("name", ["tpu", "gpu", "cuda:x"])
def test_unknown_device_in_the_environment_is_an_error(machine, monkeypatch, name):
    machine(cuda=False, mps=False)
    monkeypatch.setenv("LEGENDRE_DEVICE", name)
    with pytest.raises(ValueError, match=rf"LEGENDRE_DEVICE='{name}'"):
        default_device()


@pytest.mark.parametrize("name", ["cuda", "mps"])
def test_unavailable_backend_in_the_environment_is_an_error(machine, monkeypatch, name):
    machine(cuda=False, mps=False)
    monkeypatch.setenv("LEGENDRE_DEVICE", name)
    with pytest.raises(ValueError, match="not available here"):
        default_device()
