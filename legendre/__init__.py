"""Custom ``torch.autograd.Function``\\ s for Legendre polynomials, and a trainer."""

from .device import default_device
from .functions import LegendrePolynomial, LegendrePolynomial3
from .trainer import DivergenceError, FitResult, fit

# The one place the version is written: pyproject.toml reads it from here. (Asking
# importlib.metadata instead would add some 60 ms to every `import legendre`.)
__version__ = "0.1.0"

__all__ = [
    "DivergenceError",
    "FitResult",
    "LegendrePolynomial",
    "LegendrePolynomial3",
    "default_device",
    "fit",
]
