"""The conditional VAE: likelihood per block, reparameterisation, samples in the space."""

from __future__ import annotations

import pytest
import torch

from genhpo.model.cvae import ConditionalVAE
from genhpo.model.layout import Layout


@pytest.fixture
def cvae(mixed_layout) -> ConditionalVAE:
    torch.manual_seed(0)
    return ConditionalVAE(mixed_layout, context=6, latent=3, hidden=16)


def _batch(layout: Layout, B: int = 5) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    x = torch.zeros(B, layout.dim)
    for a, b in layout.categorical:
        x[torch.arange(B), a + torch.randint(b - a, (B,), generator=g)] = 1.0
    x[:, list(layout.numeric)] = torch.rand(B, len(layout.numeric), generator=g)
    return x


def test_layout_of_mixed_space(mixed_layout):
    assert mixed_layout.dim == 9
    # ConfigSpace orders hyperparameters by name: act, depth, lr, opt
    assert mixed_layout.categorical == ((0, 3), (5, 9))
    assert mixed_layout.numeric == (3, 4)
    with pytest.raises(ValueError, match="exactly once"):
        Layout(3, ((0, 2),), (), "x")


def test_log_likelihood_is_per_block_cross_entropy_plus_beta(cvae, mixed_layout):
    x = _batch(mixed_layout)
    out = torch.randn(5, mixed_layout.dim + 2)  # two numerics: one extra slot each
    ll = cvae.log_likelihood(out, x)
    expected = torch.zeros(5)
    for a, b in mixed_layout.categorical:
        expected -= torch.nn.functional.cross_entropy(out[:, a:b], x[:, a:b].argmax(1), reduction="none")
    alpha, beta = cvae._beta_params(out)
    expected += torch.distributions.Beta(alpha, beta).log_prob(x[:, [3, 4]].clamp(1e-3, 1 - 1e-3)).sum(1)
    torch.testing.assert_close(ll, expected)


def test_elbo_shape_and_reparameterised_gradient(cvae, mixed_layout):
    x = _batch(mixed_layout)
    flag, ctx = torch.tensor([1.0, 0, 1, 0, 1]), torch.randn(5, 6, requires_grad=True)
    elbo = cvae.elbo(x, flag, ctx, generator=torch.Generator().manual_seed(0))
    assert elbo.shape == (5,) and torch.isfinite(elbo).all()
    elbo.sum().backward()
    # the decoder sees z only through mu + sigma * eps: the encoder must get gradient from the likelihood
    enc_grad = cvae.encoder[0].weight.grad
    assert enc_grad is not None and enc_grad.abs().sum() > 0
    assert ctx.grad is not None and ctx.grad.abs().sum() > 0
    # same generator seed -> same sample -> same ELBO; z = mu is deterministic
    a = cvae.elbo(x, flag, ctx, generator=torch.Generator().manual_seed(3))
    b = cvae.elbo(x, flag, ctx, generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(a, b)
    torch.testing.assert_close(cvae.elbo(x, flag, ctx, sample=False), cvae.elbo(x, flag, ctx, sample=False))


def test_gradient_of_sampled_z_wrt_mu_and_logvar(cvae, mixed_layout):
    """d z / d mu = 1 and d z / d logvar = eps * sigma / 2: check through the loss by finite difference."""
    x = _batch(mixed_layout, 1)
    flag, ctx = torch.ones(1), torch.zeros(1, 6)
    mu, logvar = cvae.encode(x, flag, ctx)
    assert mu.shape == logvar.shape == (1, 3)
    eps = torch.randn(mu.shape, generator=torch.Generator().manual_seed(0))
    mu = mu.detach().requires_grad_(True)
    z = mu + torch.exp(0.5 * logvar.detach()) * eps
    cvae.log_likelihood(cvae.decode(z, flag, ctx), x).sum().backward()
    h = 1e-3
    base = cvae.log_likelihood(cvae.decode(z.detach(), flag, ctx), x)
    bumped = cvae.log_likelihood(cvae.decode(z.detach() + torch.tensor([[h, 0, 0]]), flag, ctx), x)
    assert mu.grad[0, 0].item() == pytest.approx(((bumped - base) / h).item(), rel=0.05, abs=1e-3)


def test_samples_are_valid_encodings(cvae, mixed_layout):
    x = cvae.sample(torch.ones(50), torch.randn(50, 6), generator=torch.Generator().manual_seed(0))
    assert x.shape == (50, 9)
    for a, b in mixed_layout.categorical:
        assert torch.all(x[:, a:b].sum(1) == 1) and set(x[:, a:b].unique().tolist()) <= {0.0, 1.0}
    assert torch.all((x[:, 3:5] >= 0) & (x[:, 3:5] <= 1))


def test_shared_context_elbo_equals_the_plain_one(cvae, mixed_layout):
    x, ctx = _batch(mixed_layout, 7), torch.randn(1, 6)
    with torch.no_grad():
        fast = cvae.elbo_at_mean(x, (1.0, 0.0), ctx)
        for flag, value in zip((1.0, 0.0), fast):
            plain = cvae.elbo(x, torch.full((7,), flag), ctx.expand(7, -1), sample=False)
            torch.testing.assert_close(value, plain, atol=1e-4, rtol=1e-4)
