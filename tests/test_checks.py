"""legendre/_checks.py: one message per mistake, wherever the package checks its arguments."""

import math
import re

import numpy as np
import pytest
import torch

from legendre._checks import (
    check_choice,
    check_choices,
    check_data,
    check_init,
    check_int,
    check_lr,
    check_points,
)


def test_integers_come_back_as_plain_ints():
    value = check_int("steps", np.int64(7), 0)
    assert (value, type(value)) == (7, int)


@pytest.mark.parametrize("value", [True, 2.0, "3", None])
def test_bools_floats_and_strings_are_not_integers(value):
    with pytest.raises(TypeError, match=re.escape(f"steps must be an int, got {value!r}")):
        check_int("steps", value, 0)


def test_the_degree_of_a_function_names_the_type_it_got():
    # a 0-d tensor prints like a number: the type says what went wrong
    with pytest.raises(TypeError, match=r"^n must be an int, got tensor\(3\) of type Tensor$"):
        check_int("n", torch.tensor(3), 0, show_type=True)


def test_an_integer_below_its_minimum_is_refused():
    with pytest.raises(ValueError, match=r"^log_every must be >= 1, got 0$"):
        check_int("log_every", 0, 1)


def test_step_sizes_are_finite_positive_floats():
    assert check_lr(1) == 1.0
    for bad in (0, -1e-3, math.nan, math.inf):
        with pytest.raises(ValueError, match=re.escape(f"lr must be finite and > 0, got {bad!r}")):
            check_lr(bad)
    with pytest.raises(TypeError, match="lr must be a real number, got True"):
        check_lr(True)


def test_a_starting_point_becomes_a_tuple_of_floats():
    assert check_init([1, np.float32(0.5)], 2, "degree 1") == (1.0, 0.5)
    with pytest.raises(ValueError, match=r"^init must hold 2 numbers for degree 1, got 3$"):
        check_init((0, 0, 0), 2, "degree 1")


def test_a_choice_lists_every_option_it_accepts():
    with pytest.raises(ValueError, match=r"^optimizer must be one of 'sgd', 'adam'; got 'SGD'$"):
        check_choice("optimizer", "SGD", ("sgd", "adam"))
    with pytest.raises(ValueError, match=r"^methods must be among a, b; got \['c'\]$"):
        check_choices("methods", ["a", "c"], ("a", "b"))
    assert check_choices("methods", ("b", "a"), ("a", "b")) == ["b", "a"]


def test_points_must_be_a_real_floating_tensor():
    x = torch.zeros(3, dtype=torch.complex64)
    with pytest.raises(
        TypeError, match=r"^x must have a real floating dtype, got torch.complex64$"
    ):
        check_points(x)
    assert check_points(torch.zeros(3)).shape == (3,)


def test_data_are_checked_x_first_then_y_then_together():
    with pytest.raises(TypeError, match=r"^y must be a torch\.Tensor, got list$"):
        check_data(torch.zeros(2), [0.0, 1.0])
    with pytest.raises(ValueError, match=r"^x is empty$"):
        check_data(torch.zeros(0), [])
    with pytest.raises(ValueError, match=r"same shape, got x: \(2,\) and y: \(3,\)$"):
        check_data(torch.zeros(2), torch.zeros(3))
