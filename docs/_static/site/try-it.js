/* "Try it" on the tutorial page: its fit of sin(x), trained in the browser with torch's numbers.
 *
 * docs/_ext/try_it.py writes the panel under the training output and loads this script on
 * that page only. Without JavaScript the panel stays hidden and the page is unchanged.
 *
 * The arithmetic is float32, operation for operation as the page's torch run on a CPU:
 * - Every elementwise operation is rounded once to float32 (Math.fround, or a store into a
 *   Float32Array): a float32 +, - or * done in double and rounded once is exactly the float32
 *   result. The order is the tutorial's: u = c + d·x, P3 = 0.5·(5·((u·u)·u) − 3·u),
 *   r = (a + b·P3) − y, loss = Σ r·r; autograd's backward gives g = 2r, ∂a = Σ g,
 *   ∂b = Σ g·P3, g_u = ((g·b)·1.5)·(5·(u·u) − 1), ∂c = Σ g_u, ∂d = Σ g_u·x; then each
 *   p ← p − fround(lr)·∂p.
 * - Each Σ adds in the order of torch's float32 sum on the CPU: the cascade sum of
 *   aten/src/ATen/native/cpu/SumKernel.cpp with 8-float vectors, the AVX2 kernel, which
 *   torch 2.13 runs on AVX-512 machines too (16 lanes does not give its sums). See torchSum.
 * - x is torch.linspace's: lo + step·i up to the middle, hi − step·(n − 1 − i) after it,
 *   each a fused multiply-add in torch (one rounding). y is sin(x) rounded to float32, corrected
 *   where torch's vectorised sine rounds the other way (at most one unit in the last place):
 *   the build lists those points in data-sine-ulps, computed with torch.
 * At the tutorial's settings this gives torch's losses and coefficients bit for bit.
 */

const N = 2000; // points of sin(x) on [-π, π], as on the page
const LANES = 8; // floats in one AVX2 vector
const ROWS = 4; // vectors summed side by side (torch's ilp_factor)
const LEVELS = 4; // levels of the cascade
const BLOCK = 16; // rows per level: torch's max(16, 2^(⌈log2 rows⌉ / 4)), 16 below 2^16 rows
const WIDTH = ROWS * LANES;
const f32 = Math.fround;
const cascade = new Float32Array(LEVELS * WIDTH);

/** The float32 sum of v, added in the order torch's CPU kernel adds a contiguous tensor. */
function torchSum(v) {
  const vectors = Math.floor(v.length / LANES);
  const rows = Math.floor(vectors / ROWS);
  const acc = cascade;
  acc.fill(0);
  let i = 0;
  // Rows of 4 vectors go into level 0; every BLOCK rows a level moves up into the next
  // one, which moves up in turn when its own count of blocks is a multiple of BLOCK.
  while (i + BLOCK <= rows) {
    for (let j = 0; j < BLOCK; j++, i++) {
      for (let k = 0; k < WIDTH; k++) acc[k] += v[i * WIDTH + k];
    }
    for (let level = 1; level < LEVELS; level++) {
      for (let k = 0; k < WIDTH; k++) {
        acc[level * WIDTH + k] += acc[(level - 1) * WIDTH + k];
        acc[(level - 1) * WIDTH + k] = 0;
      }
      if (i % BLOCK ** (level + 1) !== 0) break;
    }
  }
  for (; i < rows; i++) {
    for (let k = 0; k < WIDTH; k++) acc[k] += v[i * WIDTH + k];
  }
  for (let level = 1; level < LEVELS; level++) {
    for (let k = 0; k < WIDTH; k++) acc[k] += acc[level * WIDTH + k];
  }
  // vectors left over from the rows go into the first vector, then the others join it
  for (let vec = rows * ROWS; vec < vectors; vec++) {
    for (let l = 0; l < LANES; l++) acc[l] += v[vec * LANES + l];
  }
  for (let r = 1; r < ROWS; r++) {
    for (let l = 0; l < LANES; l++) acc[l] += acc[r * LANES + l];
  }
  // the floats after the last whole vector, then the lanes, one by one
  let total = 0;
  for (let k = vectors * LANES; k < v.length; k++) total = f32(total + v[k]);
  for (let l = 0; l < LANES; l++) total = f32(total + acc[l]);
  return total;
}

/** torch.linspace(-π, π, N) and torch.sin of it, in float32. */
function makeData(sineUlps) {
  const x = new Float32Array(N);
  const y = new Float32Array(N);
  const lo = f32(-Math.PI);
  const hi = f32(Math.PI);
  const step = f32(f32(hi - lo) / (N - 1));
  for (let i = 0; i < N; i++) {
    // step·i is exact in double; the sum rounded to double, then to float32 on the store,
    // gives torch's fused multiply-add at each of these points (checked bit for bit)
    x[i] = i < N / 2 ? lo + step * i : hi - step * (N - 1 - i);
    y[i] = Math.sin(x[i]);
  }
  const bits = new Int32Array(y.buffer); // a float's neighbour is one integer away
  for (const entry of sineUlps.split(" ").filter(Boolean)) {
    const [i, ulps] = entry.split(":").map(Number);
    bits[i] += ulps;
  }
  return { x, y };
}

/** Gradient descent on a + b·P3(c + d·x) from `start`; each call of step() takes one step. */
function makeTrainer({ x, y }, start, lr) {
  const squares = new Float32Array(N);
  const grads = [0, 1, 2, 3].map(() => new Float32Array(N));
  const [ga, gb, gc, gd] = grads;
  const theta = start.map(f32);
  const rate = f32(lr);
  return {
    theta,
    /** The loss at the current parameters; the parameters move only when it is finite. */
    step() {
      const [a, b, c, d] = theta;
      for (let i = 0; i < N; i++) {
        const u = f32(c + f32(d * x[i]));
        const uu = f32(u * u);
        const p3 = f32(0.5 * f32(f32(5 * f32(uu * u)) - f32(3 * u)));
        const r = f32(f32(a + f32(b * p3)) - y[i]);
        const g = f32(2 * r);
        const gu = f32(f32(f32(g * b) * 1.5) * f32(f32(5 * uu) - 1));
        squares[i] = r * r;
        ga[i] = g;
        gb[i] = g * p3;
        gc[i] = gu;
        gd[i] = gu * x[i];
      }
      const loss = torchSum(squares);
      if (Number.isFinite(loss)) {
        grads.forEach((grad, k) => {
          theta[k] = f32(theta[k] - f32(rate * torchSum(grad)));
        });
      }
      return loss;
    },
  };
}

// -- Python's way of printing numbers ---------------------------------------------------

/** repr(float): the shortest digits that read back, fixed between 1e-4 and 1e16. */
function pyRepr(v) {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
  const [mantissa, exp] = v.toExponential().split("e");
  const e = Number(exp);
  if (e < -4 || e >= 16) return `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  const sign = v < 0 ? "-" : "";
  const digits = mantissa.replace(/[-.]/g, "");
  if (e < 0) return `${sign}0.${"0".repeat(-e - 1)}${digits}`;
  const whole = digits.slice(0, e + 1).padEnd(e + 1, "0");
  return `${sign}${whole}.${digits.slice(e + 1) || "0"}`;
}

/** format(v, ".{precision}g") */
function pyG(v, precision = 6) {
  if (!Number.isFinite(v) || v === 0) return pyRepr(v).replace(/\.0$/, "");
  const strip = (s) => (s.includes(".") ? s.replace(/\.?0+$/, "") : s);
  const [mantissa, exp] = v.toExponential(precision - 1).split("e");
  const e = Number(exp);
  if (e < -4 || e >= precision) {
    return `${strip(mantissa)}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  return strip(v.toFixed(precision - 1 - e));
}

// -- The panel ---------------------------------------------------------------------------

const SVG = "http://www.w3.org/2000/svg";
const PLOT = { left: 44, right: 312, top: 12, bottom: 172 }; // inside each 320×200 viewBox
const FIT_RANGE = 1.6; // the fit plot shows y in [-1.6, 1.6]; sin(x) spans [-1, 1]
const MAX_POINTS = 400; // of a drawn curve

function scale(lo, hi, from, to) {
  return (v) => from + ((v - lo) / (hi - lo)) * (to - from);
}

function curve(xs, ys, sx, sy) {
  const stride = Math.max(1, Math.ceil(xs.length / MAX_POINTS));
  const parts = [];
  for (let i = 0; i < xs.length; i += stride) {
    parts.push(`${sx(xs[i]).toFixed(1)},${sy(ys[i]).toFixed(1)}`);
  }
  const last = xs.length - 1;
  if (last > 0 && last % stride !== 0) parts.push(`${sx(xs[last]).toFixed(1)},${sy(ys[last]).toFixed(1)}`);
  return parts.length ? `M${parts.join("L")}` : "";
}

function label(svg, x, y, text, anchor) {
  const node = document.createElementNS(SVG, "text");
  node.setAttribute("x", x);
  node.setAttribute("y", y);
  node.setAttribute("text-anchor", anchor);
  node.textContent = text;
  svg.append(node);
  return node;
}

function start(panel) {
  const form = panel.querySelector("form");
  const field = (name) => form.elements.namedItem(name);
  const rateInput = field("lr");
  const rateShown = panel.querySelector("output");
  const out = panel.querySelector(".try-it-output");
  const status = panel.querySelector(".try-it-status");
  const fitPath = panel.querySelector(".try-it-model:not(.try-it-key)");
  const sinePath = panel.querySelector(".try-it-sine:not(.try-it-key)");
  const lossPath = panel.querySelector(".try-it-loss");
  const lossTicks = panel.querySelector(".try-it-loss-ticks");
  const lossStart = panel.querySelector(".try-it-loss-start");
  const stepsEnd = panel.querySelector(".try-it-steps-end");
  const text = panel.dataset;
  const placeholder = out.textContent; // the build's "press Run" line, in the page's language
  const reduced = window.matchMedia("(prefers-reduced-motion: reduce)");
  const data = makeData(text.sineUlps);
  const xs = Array.from(data.x);
  const fx = scale(-Math.PI, Math.PI, PLOT.left, PLOT.right);
  const fy = scale(-FIT_RANGE, FIT_RANGE, PLOT.bottom, PLOT.top);
  const clamp = (v) => Math.max(-10, Math.min(10, v)); // keeps a wild fit's path short
  let run = null;
  let frames = 0;

  const rate = () => Number((10 ** Number(rateInput.value)).toPrecision(2));
  const showRate = () => {
    rateShown.value = pyG(rate());
    rateInput.setAttribute("aria-valuetext", rateShown.value);
  };
  const settings = () => ({
    lr: rate(),
    steps: Math.max(0, Math.min(10000, Math.round(Number(field("steps").value)) || 0)),
    start: ["a", "b", "c", "d"].map((name) => Number(field(name).value) || 0),
  });

  function drawFit([a, b, c, d]) {
    const ys = xs.map((x) => {
      const u = c + d * x;
      return clamp(a + b * 0.5 * (5 * u ** 3 - 3 * u));
    });
    fitPath.setAttribute("d", curve(xs, ys, fx, fy));
  }

  function drawLoss(losses, steps) {
    const finite = losses.filter((v) => Number.isFinite(v) && v > 0);
    lossTicks.replaceChildren();
    stepsEnd.textContent = String(steps);
    if (!finite.length) {
      lossPath.setAttribute("d", "");
      lossStart.setAttribute("visibility", "hidden");
      return;
    }
    const lo = Math.floor(Math.log10(Math.min(...finite)));
    let hi = Math.ceil(Math.log10(Math.max(...finite)));
    if (hi - lo < 1) hi = lo + 1;
    const every = Math.ceil((hi - lo) / 5); // at most six labels
    const sy = scale(lo, hi, PLOT.bottom, PLOT.top);
    for (let e = lo; e <= hi; e += every) label(lossTicks, PLOT.left - 4, sy(e) + 4, `1e${e}`, "end");
    const sx = scale(0, Math.max(1, steps - 1), PLOT.left, PLOT.right);
    const indices = losses.map((_, i) => i).filter((i) => Number.isFinite(losses[i]) && losses[i] > 0);
    lossPath.setAttribute("d", curve(indices, indices.map((i) => Math.log10(losses[i])), sx, sy));
    // a dot at the starting loss: before a run it is all the chart has to show
    const first = losses[0] > 0 && Number.isFinite(losses[0]);
    lossStart.setAttribute("visibility", first ? "visible" : "hidden");
    if (first) {
      lossStart.setAttribute("cx", sx(0));
      lossStart.setAttribute("cy", sy(Math.log10(losses[0])).toFixed(1));
    }
  }

  function draw(trainer, losses, steps) {
    drawFit(trainer.theta);
    drawLoss(losses, steps);
    frames += 1;
    panel.dataset.frames = String(frames);
  }

  // Keep the newest line in view: the Result line ends a run, below the box's height.
  function print(lines) {
    out.textContent = lines.join("\n");
    out.scrollTop = out.scrollHeight;
  }

  function finish(lines, message, state) {
    print(lines);
    status.textContent = message;
    panel.dataset.state = state;
    run = null;
  }

  function train(event) {
    event.preventDefault();
    if (run) cancelAnimationFrame(run);
    const { lr, steps, start: init } = settings();
    const trainer = makeTrainer(data, init, lr);
    const losses = [];
    const lines = [];
    const began = performance.now();
    panel.dataset.state = "running";
    status.textContent = text.running;
    out.textContent = "";
    // Long runs take about a second of frames; a reader who asks for less motion gets
    // the end at once.
    const perFrame = reduced.matches ? Infinity : Math.max(25, Math.ceil(steps / 60));
    const chunk = () => {
      const stop = Math.min(steps, losses.length + perFrame);
      while (losses.length < stop) {
        const step = losses.length;
        const loss = trainer.step();
        losses.push(loss);
        if (!Number.isFinite(loss)) {
          // the message legendre.fit raises (DivergenceError), in the page's language
          const last = step > 0 ? pyG(losses[step - 1]) : null;
          const message = (last === null ? text.divergedAtStart : text.diverged)
            .replace("{step}", step)
            .replace("{last}", last)
            .replace("{lr}", pyG(lr));
          draw(trainer, losses, steps);
          const stopped = text.stopped.replace("{step}", step);
          finish([...lines, `DivergenceError: ${message}`], stopped, "diverged");
          return;
        }
        if (step % 100 === 99) lines.push(`${step} ${pyRepr(loss)}`);
      }
      print(lines);
      if (!reduced.matches || losses.length === steps) draw(trainer, losses, steps);
      if (losses.length < steps) {
        run = requestAnimationFrame(chunk);
        return;
      }
      const [a, b, c, d] = trainer.theta.map(pyRepr);
      lines.push(
        text.result.replace("{a}", a).replace("{b}", b).replace("{c}", c).replace("{d}", d),
      );
      const ms = Math.round(performance.now() - began);
      finish(lines, text.done.replace("{steps}", steps).replace("{ms}", ms), "done");
    };
    run = requestAnimationFrame(chunk);
  }

  // Before a run the plots show where it would start: the starting model over sin(x),
  // and its loss at step 0.
  function preview() {
    const { lr, steps, start: init } = settings();
    drawFit(init);
    drawLoss([makeTrainer(data, init, lr).step()], steps);
  }

  function reset() {
    if (run) cancelAnimationFrame(run);
    run = null;
    form.reset();
    showRate();
    out.textContent = placeholder;
    status.textContent = "";
    panel.dataset.state = "ready";
    preview();
  }

  sinePath.setAttribute("d", curve(xs, Array.from(data.y), fx, fy));
  rateInput.addEventListener("input", showRate);
  form.addEventListener("input", () => {
    if (panel.dataset.state === "ready") preview();
  });
  form.addEventListener("submit", train);
  panel.querySelector(".try-it-reset").addEventListener("click", reset);
  reset();
}

if (typeof document !== "undefined") {
  const panel = document.querySelector(".try-it");
  if (panel) start(panel);
}
