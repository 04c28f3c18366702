"""Limits of torch that the docs state, checked on the installed torch.

A sentence about what torch cannot do yet names the version it was checked on (2.13). When a
torch release lifts the limit, the test named after the sentence fails and says which
sentence to reword; the examples assert their own such claims while the site builds.
"""

import pytest
import torch

from legendre import LegendrePolynomial


class ForwardLegendre(LegendrePolynomial):
    """LegendrePolynomial with the forward-mode rule it leaves out on purpose."""

    @staticmethod
    def setup_context(ctx, inputs, output):
        LegendrePolynomial.setup_context(ctx, inputs, output)
        ctx.save_for_forward(inputs[0])

    @staticmethod
    def jvp(ctx, x_tangent, n_tangent):
        # elementwise: J v = P_n'(x) v, the product the backward formula forms
        return LegendrePolynomial.backward(ctx, x_tangent)[0]


# torch's forward-mode AD loads its decompositions with torch.jit.script on first use,
# which torch itself deprecates.
@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
def test_a_jvp_method_would_give_forward_mode_to_legendre_polynomial():
    # the other half of the claim: the method that is left out does work
    x = torch.linspace(-1, 1, 7, dtype=torch.float64)
    by_columns = torch.func.jacfwd(lambda t: ForwardLegendre.apply(t, 5))(x)
    by_rows = torch.func.jacrev(lambda t: LegendrePolynomial.apply(t, 5))(x)
    torch.testing.assert_close(by_columns, by_rows)


# Dynamo builds its context object by instantiating torch.autograd.Function, which torch
# itself deprecates; the warning comes from inside torch, for any custom Function.
@pytest.mark.filterwarnings(
    "ignore:<class 'torch.autograd.function.Function'> should not be instantiated"
    ":DeprecationWarning"
)
def test_compile_breaks_the_graph_at_a_function_with_a_jvp_method():
    # LegendrePolynomial's docstring: "on torch 2.13, where this was checked,
    # torch.compile breaks the graph at a Function that has one". aot_eager: Dynamo alone
    # decides about graph breaks; Inductor's code generation would only add a minute.
    torch.compiler.reset()
    x = torch.linspace(-1, 1, 7, dtype=torch.float64, requires_grad=True)
    compiled = torch.compile(
        lambda t: ForwardLegendre.apply(t, 5).sum(), fullgraph=True, backend="aot_eager"
    )
    # If this stops raising, torch lifted the limit: reword LegendrePolynomial's docstring
    # (and its Korean in docs/locales/ko/LC_MESSAGES/api.po), and consider giving it a jvp.
    # (torch 2.4 words it "NYI - User defind jvp", later ones "custom jvp")
    with pytest.raises(torch._dynamo.exc.Unsupported, match=r"custom jvp|defind jvp"):
        compiled(x)
