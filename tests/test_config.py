"""TrainConfig: valid defaults, one clear ValueError per bad value, immutability."""

import dataclasses

import pytest

from gankmeans import TrainConfig


def test_defaults_are_valid_and_round_trip_through_a_dict():
    config = TrainConfig()
    assert TrainConfig(**config.to_dict()) == config
    assert set(config.to_dict()) == set(TrainConfig.field_names())


def test_config_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        TrainConfig().n_clusters = 3


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("n_clusters", 0, "integer from 1"),
        ("n_clusters", 2.5, "integer"),
        ("n_clusters", True, "integer"),
        ("max_epochs", -1, "integer from 1"),
        ("batch_size", 0, '"auto"'),
        ("batch_size", "big", '"auto"'),
        ("hidden", 1, "integer from 2"),
        ("lr_student", 0.0, r"\(0, 10\]"),
        ("lr_discriminator", float("nan"), "number"),
        ("lr_student", "fast", "number"),
        ("discriminator", "both", "'conditional', 'label'"),
        ("tie_margin", -0.1, "number in"),
        ("teacher_weight", float("inf"), "number in"),
        ("handover", "sometimes", '"never" or "auto"'),
        ("handover", 0, "integer from 1"),
        ("handover_agreement", 1.5, r"\[0, 1\]"),
        ("tol", -1e-3, "number in"),
        ("patience", 0, "integer from 1"),
        ("init", "kmeans", "'k-means\\+\\+', 'random'"),
        ("standardize", "yes", "True or False"),
        ("standardize", 1, "True or False"),
        ("random_state", -1, "or None"),
        ("device", "tpu", "'auto', 'cpu', 'cuda'"),
    ],
)
def test_out_of_range_values_name_the_field_and_the_rule(field, value, rule):
    with pytest.raises(ValueError, match=rule) as error:
        TrainConfig(**{field: value})
    assert f"{field}={value!r}" in str(error.value)


@pytest.mark.parametrize("handover", ["never", "auto", 1, 50])
def test_valid_handover_values(handover):
    assert TrainConfig(handover=handover).handover == handover
