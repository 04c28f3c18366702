r"""
Watching the fit converge
=========================

*About the fit, not about writing Functions:* the tutorial's training,
replayed as an animation.

**You will learn** to watch a fit train, frame by frame.

The tutorial prints a loss every 100 steps; here we watch the model itself.
We replay the tutorial's gradient descent on
:math:`y = a + b\,P_3(c + d x)` and animate the fitted curve, one frame per
checkpoint, then place those checkpoints on the loss curve.
"""

# %%
# Data and device
# ---------------
# The tutorial's 2000 points of :math:`\sin(x)` in single precision. Nothing
# is random, so every build shows the same film.
import math

import torch

import legendre

device = legendre.default_device()
print(f"Running on: {device}")

x = torch.linspace(-math.pi, math.pi, 2000, device=device)
y = torch.sin(x)

# %%
# Checkpoints by resuming
# -----------------------
# Plain gradient descent keeps no state besides the parameters, so stopping
# after :math:`k` steps and restarting from the coefficients reached takes
# exactly the same path as one long run. We stop at about 30 checkpoints
# spaced evenly on a log scale (rounding merges a few of the first ones):
# each early step moves the curve visibly, late steps only in bulk, and few
# small frames keep the page light.
from itertools import pairwise

import numpy as np

checkpoints = np.unique(np.geomspace(1, 2000, 30).round().astype(int)).tolist()
snapshots = [legendre.fit(x, y, steps=0, log_every=None)]  # the tutorial's starting point
losses = []
steps = [0, *checkpoints]
for start, stop in pairwise(steps):
    run = legendre.fit(x, y, steps=stop - start, init=snapshots[-1].coefficients, log_every=None)
    losses.extend(run.history)
    snapshots.append(run)
print(f"{len(snapshots)} frames, after these numbers of steps: {steps}")

# %%
# Resuming is exact, so the last snapshot matches one uninterrupted run:
straight = legendre.fit(x, y, log_every=None)
print("same coefficients as one run of 2000 steps:", straight.coefficients == run.coefficients)

# %%
# The animation
# -------------
# ``matplotlib.animation.FuncAnimation`` calls ``draw`` once per frame
# to move the fitted curve. Sphinx-Gallery finds the animation object and
# embeds its frames in this page with a small player; in a notebook, show it
# with ``IPython.display.HTML(anim.to_jshtml())``. Every frame is a full
# image, so the figure is small: 5 by 3 inches, at 144 dots per inch to stay
# sharp on screens that pack two pixels into the space of one.
import matplotlib.pyplot as plt
from matplotlib.animation import FuncAnimation

film, film_ax = plt.subplots(figsize=(5, 3), dpi=144)
# Fixed margins: an automatic layout would be recomputed for every frame.
film.subplots_adjust(left=0.14, right=0.97, bottom=0.15, top=0.9)
film_ax.plot(x.cpu(), y.cpu(), color="0.7", linewidth=3, label="sin(x)")
(curve,) = film_ax.plot([], [], color="C3", label="a + b·P3(c + dx)")
film_ax.set(xlim=(-math.pi, math.pi), ylim=(-1.6, 1.6), xlabel="x", ylabel="y")
film_ax.legend(loc="upper left")


def draw(frame):
    curve.set_data(x.cpu(), snapshots[frame].predict(x).cpu())
    film_ax.set_title(f"Fit of sin(x) after {steps[frame]} gradient steps")
    return (curve,)


anim = FuncAnimation(film, draw, frames=len(snapshots), interval=200, repeat_delay=1000)
plt.show()

# %%
# Where the frames sit on the loss curve
# --------------------------------------
# Each dot is one frame of the film above. The loss falls fast at first: in
# the first dozen steps the curve's ends swing onto the sine's, which takes
# away more than a third of the whole drop. The rest comes mostly between
# steps 100 and 1000, while the amplitude grows to match the sine's. The
# lines printed below measure both shares.
frame_losses = [(s.predict(x) - y).pow(2).sum().item() for s in snapshots]
drop = losses[0] - losses[-1]
early, middle = (losses[0] - losses[12]) / drop, (losses[100] - losses[1000]) / drop
print(f"loss at steps 0, 12, 100, 1000 and 1999: {losses[0]:.0f}, {losses[12]:.0f}, "
      f"{losses[100]:.0f}, {losses[1000]:.1f}, {losses[-1]:.2f}")  # fmt: skip
print(f"share of the drop in the first 12 steps: {early:.0%}; between 100 and 1000: {middle:.0%}")
assert 1 / 3 < early < 1 / 2, early
assert middle > 1 / 3, middle

fig, ax = plt.subplots(figsize=(5.5, 3.3), layout="constrained")
ax.plot(losses, color="C0", label="loss at every step")
ax.plot(steps, frame_losses, "o", color="C3", markersize=4, label="animation frames")
# symlog: logarithmic beyond step 1, yet step 0 still has a place
ax.set_xscale("symlog", linthresh=1)
ax.set_yscale("log")
ax.set(
    xlabel="step (log scale beyond 1)",
    ylabel="sum of squared errors (log scale)",
    title="Training loss of the tutorial's loop,\nwith the animated steps as dots",
)
ax.legend()
plt.show()

# %%
# The tiny fixed step makes the amplitude grow slowly: after 2000 steps the
# loss is still falling (:doc:`plot_10_optimizers` shows how far it has to go).
#
# What we learned
# ---------------
# * Gradient descent's only state is the parameters, so training can be cut
#   into pieces and resumed exactly.
# * A few log-spaced frames show a run whose early steps change much and
#   late steps little.
#
# .. seealso::
#
#    :doc:`../core/plot_01_custom_function` runs this training loop by hand;
#    :doc:`plot_10_optimizers` reaches the same fit far faster.

# sphinx_gallery_thumbnail_number = 2
# sphinx_gallery_tags = ["animation", "training"]
