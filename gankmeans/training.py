"""train(X, config): the GANKMeans loop, one Frame per epoch; it never prints, plots or sleeps."""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.cluster import KMeans

from .config import TrainConfig
from .datasets import validate_data
from .embedding import EmbeddingTrainer, Encoder, LearnedStudent, make_head
from .frame import Frame
from .metrics import match_labels
from .model import CompositeModel
from .networks import Discriminator, Student, init_weights, straight_through_one_hot
from .scaling import Scaling
from .seeding import initial_rows, run_rng, teacher_points
from .teacher import ABSTAIN, assign, update_centroids

# batch_size="auto": at most 16 adversarial steps per epoch, with batches of 64 to 1,024 points.
# A batch of 1,024 already gives a near-exact gradient, so past 16,384 points an epoch trains on a
# fresh random sample of that many (every point is still labelled every epoch): the cost of an
# epoch then grows only with labelling, which is cheap.
AUTO_STEPS_PER_EPOCH = 16
AUTO_MIN_BATCH = 64
AUTO_MAX_BATCH = 1024
# Adam keeps the losses finite even at absurd learning rates, so "diverged" also means this: a
# binary cross-entropy of 100 (a logit of -100 on the right answer) only happens once the weights
# have blown up, and from there the student cannot learn again.
LOSS_LIMIT = 100.0
# Learned mode: once the encoder is fixed the teacher restarts in its space, keeping the best of
# this many k-means runs (its first centroids were drawn in a space that has moved since).
RESTARTS_IN_SETTLED_SPACE = 10


class DivergenceError(FloatingPointError):
    """A loss became NaN or infinite; the frames yielded before it are still good."""


def train(X, config: TrainConfig | None = None) -> Iterator[Frame]:
    """Train GANKMeans on X, yielding one Frame per epoch.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Numeric data. The teacher measures distance in its own units (standardised ones with
        ``config.standardize``); frames report the input's units.
    config : TrainConfig, optional
        Hyperparameters; ``TrainConfig()`` when omitted.

    Yields
    ------
    Frame
        A snapshot after every epoch, until ``max_epochs`` or convergence.

    Raises
    ------
    ValueError
        For bad data (NaN/inf, text, too few samples) or an unavailable device, before any frame.
    DivergenceError
        When a loss becomes NaN/inf; lower the learning rates.
    """
    config = TrainConfig() if config is None else config
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}.")
    run = _Run(validate_data(X, config.n_clusters), config)
    for epoch in range(1, config.max_epochs + 1):
        frame = run.epoch(epoch)
        yield frame
        if frame.converged:
            return


def resolve_device(name: str) -> torch.device:
    """"auto" -> CUDA when available, else CPU; "cuda" without CUDA is an error."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError('device="cuda" was asked for, but CUDA is not available; use "auto" or "cpu".')
    return torch.device(name)


def epoch_plan(batch_size: int | str, n_samples: int) -> tuple[int, int]:
    """(batch size, points trained per epoch): a full pass for an int batch size, else see above."""
    if batch_size != "auto":
        return int(batch_size), n_samples
    batch = min(max(AUTO_MIN_BATCH, math.ceil(n_samples / AUTO_STEPS_PER_EPOCH)), AUTO_MAX_BATCH)
    return batch, min(n_samples, batch * AUTO_STEPS_PER_EPOCH)


class _Run:
    """The state of one run: data, networks, optimisers, centroids, and the stop/handover streaks."""

    def __init__(self, X: np.ndarray, config: TrainConfig):
        self.config = config
        self.device = resolve_device(config.device)
        # The order of these draws is seeding.starting_rows' too: it names the same start.
        self.rng, torch_seed = run_rng(config)
        self.generator = torch.Generator().manual_seed(torch_seed)
        # The teacher's input: X in its own units (or standardised), centred, divided by its RMS
        # spread, so that tie_margin and tol mean the same on every data set. The networks see X
        # standardised, whatever the teacher's units: that only helps them train.
        self.scaling, teacher_units = teacher_points(X, config)
        self.network_scaling = Scaling.standard(X)
        self.data_points = self._tensor(teacher_units)
        self.points = self._tensor(self.network_scaling.transform(X))
        self._build_networks(*X.shape)
        self.space = None  # learned mode: the encoder's trainer
        if config.teacher_space == "learned":
            # The neighbour graph is built where the teacher would measure in input mode.
            self.space = EmbeddingTrainer(self.points, self.student.encoder, config.n_neighbors,
                                          config.lr_student, config.max_epochs, self.generator,
                                          graph_points=self.data_points, n_clusters=config.n_clusters)
            self.centroids = None  # drawn once the encoder has trained for an epoch
            # Input-unit centroids for the frames: every cluster starts at the data's mean.
            self.input_centroids = torch.zeros(config.n_clusters, X.shape[1], device=self.device)
        else:
            self._set_teacher_points(self.data_points)
            self.centroids = self._initial_centroids(config.random_state)
        self.batch_size, self.points_per_epoch = epoch_plan(config.batch_size, len(X))
        self.phase = "teacher"
        self.stable_epochs = 0
        self.agreeing_epochs = 0
        self.previous_student: torch.Tensor | None = None

    def _build_networks(self, n_samples: int, n_features: int) -> None:
        config = self.config
        k, hidden = config.n_clusters, config.hidden
        learned = config.teacher_space == "learned"
        # Built on the meta device, then initialised from our generator: nn.Linear's own
        # initialisation would draw from (and so change) torch's global random state.
        with torch.device("meta"):
            if learned:
                encoder = Encoder(n_features, config.embedding_size, 2 * hidden)
                student = LearnedStudent(encoder, make_head(config.embedding_size, k, hidden))
            else:
                student = Student(n_features, k, hidden)
            discriminator = Discriminator(n_features, k, hidden, config.discriminator == "conditional")
        for net in (student, discriminator):
            net.to_empty(device="cpu")
            init_weights(net, self.generator)
        if learned:  # to_empty left the whitening buffers uninitialised
            student.encoder.center.zero_()
            student.encoder.matrix.copy_(torch.eye(*student.encoder.matrix.shape))
        self.student, self.discriminator = student.to(self.device), discriminator.to(self.device)
        # DCGAN's Adam betas: a lower beta1 keeps the two players from overshooting each other.
        betas = (0.5, 0.999)
        # In learned mode the GAN trains the head only; the encoder has its own optimiser.
        trained = student.head if learned else student
        self.opt_student = torch.optim.Adam(trained.parameters(), config.lr_student, betas=betas)
        self.opt_disc = torch.optim.Adam(
            self.discriminator.parameters(), config.lr_discriminator, betas=betas
        )

    def _set_teacher_points(self, points: torch.Tensor) -> None:
        """Where the teacher measures: the input in the teacher's units, or the encoder's space."""
        self.teacher_points = points
        # Both are constant while the space is: the teacher uses them every epoch.
        self.points_sq = (points * points).sum(1)
        self.points_t = points.T.contiguous()

    def _initial_centroids(self, seed: int | None = None) -> torch.Tensor:
        points = self.teacher_points.double().cpu().numpy()
        config = self.config
        return self.teacher_points[torch.as_tensor(initial_rows(points, config.n_clusters, config.init,
                                                                  self.rng, seed))].clone()

    def _restart_teacher(self) -> torch.Tensor:
        """K-Means from scratch in the settled space, best of several restarts.

        Its clusters are numbered as the current centroids' are wherever they overlap most:
        numbered afresh, they swapped every colour on screen and every label the student had
        learned (measured: agreement 1.00 -> 0.00 for 4 epochs on moons).
        """
        points = self.teacher_points.double().cpu().numpy()
        seed = int(self.rng.integers(2**31 - 1))
        kmeans = KMeans(self.config.n_clusters, init=self.config.init, n_init=RESTARTS_IN_SETTLED_SPACE,
                        random_state=seed).fit(points)
        current, _ = assign(self.teacher_points, self.centroids)
        mapping = match_labels(kmeans.labels_, current.cpu().numpy(), self.config.n_clusters)
        return self._tensor(kmeans.cluster_centers_[np.argsort(mapping)])

    def _learn_space(self, epoch: int) -> None:
        """Learned mode: train the encoder (early epochs), then re-embed and place the teacher."""
        if not self.space.training(epoch):
            return
        loss = self.space.train_epoch()
        if not math.isfinite(loss):
            raise DivergenceError(
                f"Training diverged at epoch {epoch}: the encoder's loss became {loss}. "
                f"Lower the learning rates (lr_student={self.config.lr_student}).")
        self._set_teacher_points(self.space.embed())
        if self.centroids is None:
            self.centroids = self._initial_centroids()
        elif not self.space.training(epoch + 1):
            self.centroids = self._restart_teacher()

    def _tensor(self, array) -> torch.Tensor:
        return torch.as_tensor(np.asarray(array), dtype=torch.float32, device=self.device)

    def epoch(self, epoch: int) -> Frame:
        """One epoch: teacher labels, adversarial steps, composite labels, centroid update."""
        if self.phase == "teacher" and self._handover_due(epoch):
            self.phase = "student"
        if self.space is not None:
            self._learn_space(epoch)
        nearest, teacher = assign(self.teacher_points, self.centroids, self.config.tie_margin, self.points_sq)
        if self.phase == "student":
            teacher = torch.full_like(teacher, ABSTAIN)
            d_loss = g_loss = math.nan  # nothing left to learn from
        else:
            d_loss, g_loss = self._train_student(teacher, epoch)
        student = self.student.predict(self.points)
        decided_by_student = teacher == ABSTAIN
        labels = torch.where(decided_by_student, student, teacher)
        previous = self.centroids
        self.centroids, empty = update_centroids(self.teacher_points, labels, previous, self.points_t)
        shift = float((self.centroids - previous).norm(dim=1).max())
        if self.space is None:
            input_centroids = self.centroids
        else:
            self.input_centroids, _ = update_centroids(self.data_points, labels, self.input_centroids)
            input_centroids = self.input_centroids
            if self.space.training(epoch):
                shift = math.inf  # the space itself still moves: not stable yet
        agreement = self._agreement(student, nearest, teacher)
        student_changed = self.previous_student is None or bool((student != self.previous_student).any())
        self.previous_student = student
        converged = self._update_streaks(shift, student_changed, agreement)
        return Frame(
            epoch=epoch,
            labels=_labels(labels),
            teacher_labels=_labels(teacher),
            student_labels=_labels(student),
            centroids=self.scaling.inverse_transform(input_centroids.double().cpu().numpy()),
            decided_by_student=decided_by_student.cpu().numpy(),
            d_loss=d_loss,
            g_loss=g_loss,
            agreement=agreement,
            inertia=self._inertia(labels, input_centroids),
            phase=self.phase,
            converged=converged,
            empty_clusters=empty,
            model=self._snapshot(),
            **self._embedding_view(),
        )

    def _embedding_view(self) -> dict:
        """Learned mode: the first two coordinates of z and of the centroids, for drawing."""
        if self.space is None:
            return {}
        columns = min(2, self.teacher_points.shape[1])
        return {"embedding": self.teacher_points[:, :columns].float().cpu().numpy(),
                "embedding_centroids": self.centroids[:, :columns].double().cpu().numpy()}

    def _handover_due(self, epoch: int) -> bool:
        handover = self.config.handover
        if handover == "never":
            return False
        if handover == "auto":
            return self.agreeing_epochs >= self.config.patience
        return epoch >= handover

    def _train_student(self, teacher: torch.Tensor, epoch: int) -> tuple[float, float]:
        """One shuffled pass of mini-batches; returns the epoch's mean D and G losses."""
        order = torch.randperm(len(self.points), generator=self.generator)[: self.points_per_epoch]
        order = order.to(self.device)
        d_total = g_total = torch.zeros((), device=self.device)
        batches = order.split(self.batch_size)
        for batch in batches:
            d_loss, g_loss = self._adversarial_step(self.points[batch], teacher[batch])
            d_total, g_total = d_total + d_loss, g_total + g_loss
        d_mean, g_mean = float(d_total) / len(batches), float(g_total) / len(batches)
        g_limit = LOSS_LIMIT * (1 + self.config.teacher_weight)  # the imitation term adds to G
        if not (d_mean <= LOSS_LIMIT and g_mean <= g_limit):  # also catches NaN
            raise DivergenceError(
                f"Training diverged at epoch {epoch}: the losses became D={d_mean:.4g}, G={g_mean:.4g}. "
                f"Lower the learning rates (lr_student={self.config.lr_student}, "
                f"lr_discriminator={self.config.lr_discriminator})."
            )
        return d_mean, g_mean

    def _adversarial_step(self, points: torch.Tensor, teacher: torch.Tensor):
        # Only the points the teacher decided take part: there is no real pair for the others.
        decided = (teacher != ABSTAIN).float()
        n_decided = decided.sum().clamp_min(1)
        real_labels = F.one_hot(teacher.clamp_min(0), self.config.n_clusters).float()
        logits = self.student(points)
        fake_labels = straight_through_one_hot(logits)

        # D step: the teacher's pairs are real, the student's (detached) are fake; one forward
        both = self.discriminator(points.repeat(2, 1), torch.cat([real_labels, fake_labels.detach()]))
        real_score, fake_score = both.chunk(2)
        d_loss = (_bce(real_score, 1.0) + _bce(fake_score, 0.0)) @ decided / n_decided
        self.opt_disc.zero_grad(set_to_none=True)
        d_loss.backward()
        self.opt_disc.step()

        # G step: non-saturating loss, make the updated D call the student's pairs real
        per_point = _bce(self.discriminator(points, fake_labels), 1.0)
        if self.config.teacher_weight > 0:
            imitation = F.cross_entropy(logits, teacher.clamp_min(0), reduction="none")
            per_point = per_point + self.config.teacher_weight * imitation
        g_loss = per_point @ decided / n_decided
        self.opt_student.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_student.step()
        return d_loss.detach(), g_loss.detach()

    def _agreement(self, student, nearest, teacher) -> float:
        """Student == teacher on teacher-decided points; against the distance rule if none are."""
        decided = teacher != ABSTAIN
        if not bool(decided.any()):
            decided = torch.ones_like(decided)
        return float((student == nearest)[decided].float().mean())

    def _update_streaks(self, shift: float, student_changed: bool, agreement: float) -> bool:
        """Count stable and agreeing epochs; True when the run has converged.

        Stable means the centroids moved less than ``tol`` and the student changed no label: K-Means
        alone settles in a few epochs, long before the student has learned.
        """
        config = self.config
        stable = shift < config.tol and not student_changed
        self.stable_epochs = self.stable_epochs + 1 if stable else 0
        self.agreeing_epochs = self.agreeing_epochs + 1 if agreement >= config.handover_agreement else 0
        # With a handover pending, the run waits for it before it may stop.
        final_phase = config.handover == "never" or self.phase == "student"
        return final_phase and config.tol > 0 and self.stable_epochs >= config.patience

    def _inertia(self, labels: torch.Tensor, input_centroids: torch.Tensor) -> float:
        residual = self.data_points - input_centroids[labels]
        # Per feature in the teacher's units, then to input units in float64 (a squared scale
        # can overflow float32).
        per_feature = (residual * residual).sum(0).double().cpu().numpy()
        return float(per_feature @ self.scaling.scale**2)

    def _snapshot(self) -> CompositeModel:
        student = copy.deepcopy(self.student).cpu().eval()
        return CompositeModel(
            student=student,
            centroids=self.centroids.double().cpu().numpy(),
            scaling=self.scaling,
            network_scaling=self.network_scaling,
            tie_margin=self.config.tie_margin,
            phase=self.phase,
            encoder=None if self.space is None else student.encoder,
        )


def _bce(logits: torch.Tensor, target: float) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target), reduction="none")


def _labels(labels: torch.Tensor) -> np.ndarray:
    return labels.to(torch.int32).cpu().numpy()
