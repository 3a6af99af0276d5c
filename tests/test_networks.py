"""Student and discriminator: shapes, the straight-through label, and seeded initialisation."""

import torch

from gankmeans.networks import Discriminator, Student, init_weights, straight_through_one_hot


def test_student_maps_points_to_k_logits_and_labels():
    student = Student(n_features=3, n_clusters=5, hidden=8)
    points = torch.randn(7, 3)
    assert student(points).shape == (7, 5)
    labels = student.predict(points)
    assert labels.shape == (7,) and labels.dtype == torch.long
    assert labels.min() >= 0 and labels.max() < 5


def test_straight_through_is_one_hot_forward_with_a_gradient_backward():
    logits = torch.tensor([[2.0, 0.5, -1.0], [0.0, 3.0, 1.0]], requires_grad=True)
    labels = straight_through_one_hot(logits)
    torch.testing.assert_close(labels, torch.tensor([[1.0, 0, 0], [0, 1.0, 0]]))
    # the seed's argmax cut the graph here; now a loss on the label reaches the logits
    (labels * torch.tensor([[0.0, 1.0, 0.0]])).sum().backward()
    assert logits.grad is not None and logits.grad.abs().sum() > 0


def test_conditional_discriminator_judges_the_point_and_label_only_does_not():
    label = torch.tensor([[1.0, 0.0]])
    a, b = torch.tensor([[0.0, 0.0]]), torch.tensor([[5.0, -5.0]])
    conditional = Discriminator(2, 2, hidden=8, conditional=True)
    label_only = Discriminator(2, 2, hidden=8, conditional=False)
    assert conditional(a, label).shape == (1,)
    assert not torch.equal(conditional(a, label), conditional(b, label))
    assert torch.equal(label_only(a, label), label_only(b, label))


def test_init_weights_is_reproducible_from_a_local_generator():
    nets = [Student(2, 4, 16) for _ in range(3)]
    init_weights(nets[0], torch.Generator().manual_seed(1))
    init_weights(nets[1], torch.Generator().manual_seed(1))
    init_weights(nets[2], torch.Generator().manual_seed(2))
    params = [torch.cat([p.flatten() for p in n.parameters()]) for n in nets]
    assert torch.equal(params[0], params[1])
    assert not torch.equal(params[0], params[2])
