"""Pick the device the examples and the trainer run on."""

from __future__ import annotations

import os

import torch

#: Environment variable that overrides :func:`default_device`.
DEVICE_ENV = "LEGENDRE_DEVICE"


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return backend is not None and backend.is_available()


def resolve_device(device: str | torch.device) -> torch.device:
    """Turn ``device`` into a :class:`torch.device` that exists on this machine.

    Raises
    ------
    ValueError
        If ``device`` is not a device name torch knows, or names a backend
        (CUDA, MPS) this machine does not have.
    """
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as error:
        raise ValueError(f"device: {device!r} is not a device torch knows ({error})") from None
    if resolved.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(f"device: {device!r} asks for CUDA, which is not available here")
        if resolved.index is not None and resolved.index >= torch.cuda.device_count():
            raise ValueError(
                f"device: {device!r} asks for a GPU this machine does not have "
                f"({torch.cuda.device_count()} visible)"
            )
    elif resolved.type == "mps" and not _mps_available():
        raise ValueError(f"device: {device!r} asks for MPS, which is not available here")
    elif resolved.type not in ("cpu", "cuda", "mps"):
        raise ValueError(f"device: {device!r} is not supported; use 'cpu', 'cuda' or 'mps'")
    return resolved


def default_device() -> torch.device:
    """The best device available: CUDA, else MPS, else the CPU.

    The environment variable ``LEGENDRE_DEVICE`` (for example ``cpu`` or
    ``cuda:1``) overrides the choice; an unknown or unavailable device named
    there raises :class:`ValueError` rather than silently falling back.
    """
    override = os.environ.get(DEVICE_ENV, "").strip()
    if override:
        try:
            return resolve_device(override)
        except ValueError as error:
            raise ValueError(f"{DEVICE_ENV}={override!r}: {error}") from None
    if torch.cuda.is_available():
        return torch.device("cuda")
    if _mps_available():
        return torch.device("mps")
    return torch.device("cpu")
