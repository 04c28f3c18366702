"""Custom ``torch.autograd.Function``\\ s for Legendre polynomials, and a trainer."""

from importlib.metadata import PackageNotFoundError, version

from .device import default_device
from .functions import LegendrePolynomial, LegendrePolynomial3
from .trainer import DivergenceError, FitResult, fit

try:
    __version__ = version("legendre")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "DivergenceError",
    "FitResult",
    "LegendrePolynomial",
    "LegendrePolynomial3",
    "default_device",
    "fit",
]
