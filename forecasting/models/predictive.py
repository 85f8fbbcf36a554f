"""The predictive distribution of counts shared by every model.

A model supplies a mean forecast ``mu``; this module supplies the spread. The
forecast error variance is modelled as a function of the mean,

    var(mu) = max(mu, a * mu + b * mu**2),    a, b >= 0,

fitted to the model's in-sample residuals (actual minus the model's own
in-sample forecast; each model documents which forecast that is). The floor
``mu`` makes it Poisson when there is no overdispersion; above it the
distribution is negative binomial with that mean and variance. The linear term
captures error that scales like Poisson noise (e.g. the noise a seasonal naive
copies from last week); the quadratic term captures rate uncertainty that grows
with volume. Both keep intervals wider where volume is higher.

Quantiles are those of the count plus a uniform jitter on [-0.5, 0.5) (the
"mid-distribution" quantile), so they are continuous, never negative and
monotone in the mean. Integer quantiles of a discrete distribution always
cover more than nominal (about 85% for a nominal 80% interval at 6 calls per
interval); these still over- or under-cover at any one mean (counts are
discrete), but average close to nominal over the range of means in a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from ..errors import ForecastError
from ..schema import CALLS, quantile_column

# Below this relative excess variance the negative binomial is numerically a Poisson.
_POISSON_TOLERANCE = 1e-6
_IRLS_STEPS = 3


@dataclass(frozen=True)
class Dispersion:
    """Error variance as a function of the mean: ``max(mu, linear*mu + quadratic*mu**2)``."""

    linear: float = 1.0
    quadratic: float = 0.0

    def __post_init__(self) -> None:
        for name in ("linear", "quadratic"):
            value = getattr(self, name)
            if not np.isfinite(value) or value < 0:
                raise ForecastError(f"dispersion {name} must be finite and >= 0, got {value}")

    @classmethod
    def from_residuals(cls, actual, fitted) -> "Dispersion":
        """Fit ``linear`` and ``quadratic`` to squared residuals by weighted NNLS.

        Weights are 1/var(mu)^2 (the variance of a squared error grows with the
        square of its variance), refined by a few reweighting steps. Pairs with a
        missing value or a non-positive fitted mean are ignored; with fewer than
        two usable pairs the answer is Poisson.
        """
        y = np.asarray(actual, dtype=float)
        mu = np.asarray(fitted, dtype=float)
        ok = np.isfinite(y) & np.isfinite(mu) & (mu > 0)
        if ok.sum() < 2:
            return cls()
        y, mu = y[ok], mu[ok]
        design = np.column_stack([mu, mu**2])
        target = (y - mu) ** 2
        var = mu
        for _ in range(_IRLS_STEPS):
            scale = 1.0 / var
            coef, _ = optimize.nnls(design * scale[:, None], target * scale)
            var = np.maximum(mu, design @ coef)
        return cls(float(coef[0]), float(coef[1]))

    def variance(self, mean) -> np.ndarray:
        mu = np.asarray(mean, dtype=float)
        return np.maximum(mu, self.linear * mu + self.quadratic * mu**2)

    def quantiles(self, mean, quantiles: Sequence[float]) -> np.ndarray:
        """Quantiles, shape (len(mean), len(quantiles)), of the jittered count."""
        mu = np.clip(np.asarray(mean, dtype=float), 0.0, None)
        q = np.asarray(quantiles, dtype=float)[None, :]
        out = np.zeros((len(mu), q.shape[1]))
        excess = self.variance(mu) - mu
        poisson = (mu > 0) & (excess <= _POISSON_TOLERANCE * mu)
        negbin = (mu > 0) & ~poisson
        if poisson.any():
            m = mu[poisson, None]
            out[poisson] = _stepped_quantiles(m, m, q, _PoissonCdf(m))
        if negbin.any():
            m, v = mu[negbin, None], self.variance(mu[negbin, None])
            out[negbin] = _negbin_quantiles(m, v, q)
        return out  # rows with mu == 0 stay 0: a point mass at no calls


def _jittered_quantiles(dist, q: np.ndarray) -> np.ndarray:
    """Quantiles of count + U(-0.5, 0.5): linear between the integer CDF steps."""
    k = dist.ppf(q)
    below = np.where(k > 0, dist.cdf(k - 1), 0.0)
    mass = dist.pmf(k)
    frac = np.divide(q - below, mass, out=np.zeros(np.broadcast(q, mass).shape), where=mass > 0)
    return np.clip(k - 0.5 + frac, 0.0, None)


def _negbin_quantiles(m: np.ndarray, v: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``_jittered_quantiles`` of the negative binomial with means ``m`` and variances ``v`` (columns)."""
    return _stepped_quantiles(m, v, q, _NegbinCdf(m**2 / (v - m), m / v))


def _stepped_quantiles(m: np.ndarray, v: np.ndarray, q: np.ndarray, dist) -> np.ndarray:
    """``_jittered_quantiles`` with the quantile index k (the least count whose CDF reaches q) found
    by stepping the CDF from the normal approximation: scipy's discrete ``ppf`` inverts numerically
    and was most of the backtest's prediction time. Same k, same quantiles."""
    shape = np.broadcast_shapes(m.shape, q.shape)
    qq = np.array(np.broadcast_to(q, shape), dtype=float)
    k = np.maximum(np.floor(np.broadcast_to(m + np.sqrt(v) * stats.norm.ppf(q), shape)), 0.0)
    every = np.ones(shape, dtype=bool)
    cdf = dist.cdf(k, every)
    low = cdf < qq
    while low.any():  # step up to the least k with CDF(k) >= q
        k[low] += 1
        cdf[low] = dist.cdf(k[low], low)
        low = cdf < qq
    below = dist.cdf_before(k, every)
    high = below >= qq
    while high.any():  # step down while CDF(k - 1) still reaches q
        k[high] -= 1
        cdf[high] = below[high]
        below[high] = dist.cdf_before(k[high], high)
        high = below >= qq
    mass = dist.pmf(k)
    frac = np.divide(qq - below, mass, out=np.zeros(shape), where=mass > 0)
    return np.clip(k - 0.5 + frac, 0.0, None)


class _NegbinCdf:
    """CDF I_p(n, k + 1) (regularised incomplete beta) and pmf of the negative binomial, by element."""

    def __init__(self, n: np.ndarray, p: np.ndarray) -> None:
        self.n, self.p = n, p

    def _at(self, where: np.ndarray):
        return np.broadcast_to(self.n, where.shape)[where], np.broadcast_to(self.p, where.shape)[where]

    def cdf(self, k: np.ndarray, where: np.ndarray) -> np.ndarray:
        n, p = self._at(where)
        return special.betainc(n, k.ravel() + 1, p).reshape(k.shape)

    def cdf_before(self, k: np.ndarray, where: np.ndarray) -> np.ndarray:
        n, p = self._at(where)
        flat = k.ravel()
        return np.where(flat > 0, special.betainc(n, np.maximum(flat, 1.0), p), 0.0).reshape(k.shape)

    def pmf(self, k: np.ndarray) -> np.ndarray:
        return stats.nbinom.pmf(k, self.n, self.p)


class _PoissonCdf:
    """CDF Q(k + 1, mu) (regularised upper incomplete gamma) and pmf of the Poisson, by element."""

    def __init__(self, mu: np.ndarray) -> None:
        self.mu = mu

    def cdf(self, k: np.ndarray, where: np.ndarray) -> np.ndarray:
        return special.gammaincc(k.ravel() + 1, np.broadcast_to(self.mu, where.shape)[where]).reshape(k.shape)

    def cdf_before(self, k: np.ndarray, where: np.ndarray) -> np.ndarray:
        flat, mu = k.ravel(), np.broadcast_to(self.mu, where.shape)[where]
        return np.where(flat > 0, special.gammaincc(np.maximum(flat, 1.0), mu), 0.0).reshape(k.shape)

    def pmf(self, k: np.ndarray) -> np.ndarray:
        return stats.poisson.pmf(k, self.mu)


def predictive_frame(index: pd.DatetimeIndex, mean, dispersion: Dispersion, quantiles: Sequence[float]) -> pd.DataFrame:
    """Forecast frame: ``calls`` (the mean, clipped at 0) and one ``calls_pXX`` per quantile."""
    quantiles = validate_quantiles(quantiles)
    mu = np.clip(np.asarray(mean, dtype=float), 0.0, None)
    if not np.isfinite(mu).all():
        raise ForecastError("model produced a non-finite mean forecast")
    frame = pd.DataFrame({CALLS: mu}, index=index)
    values = dispersion.quantiles(mu, quantiles)
    for j, q in enumerate(quantiles):
        frame[quantile_column(q)] = values[:, j]
    return frame


def validate_quantiles(quantiles: Sequence[float]) -> tuple[float, ...]:
    """Sorted, unique quantiles strictly between 0 and 1."""
    qs = tuple(sorted({float(q) for q in quantiles}))
    bad = [q for q in qs if not 0.0 < q < 1.0]
    if bad:
        raise ForecastError(f"quantiles must lie strictly between 0 and 1, got {bad}")
    return qs
