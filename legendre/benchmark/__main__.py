"""``python -m legendre.benchmark``: see :func:`legendre.benchmark.main`."""

from . import main

if __name__ == "__main__":
    main()
