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
            out[poisson] = _jittered_quantiles(stats.poisson(mu[poisson, None]), q)
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
    """``_jittered_quantiles`` of the negative binomial with means ``m`` and variances ``v`` (columns).

    The quantile index k (the least count whose CDF reaches q) is found by
    stepping from the normal approximation with the CDF, I_p(n, k + 1) (the
    regularised incomplete beta): scipy's ``nbinom.ppf`` inverts numerically
    and was most of the backtest's prediction time. Same k, same quantiles.
    """
    n, p, qq = (np.array(a, dtype=float) for a in np.broadcast_arrays(m**2 / (v - m), m / v, q))
    k = np.maximum(np.floor(np.broadcast_to(m + np.sqrt(v) * stats.norm.ppf(q), n.shape)), 0.0)
    cdf = special.betainc(n, k + 1, p)
    low = cdf < qq
    while low.any():  # step up to the least k with CDF(k) >= q
        k[low] += 1
        cdf[low] = special.betainc(n[low], k[low] + 1, p[low])
        low = cdf < qq
    below = _cdf_before(n, k, p)
    high = below >= qq
    while high.any():  # step down while CDF(k - 1) still reaches q
        k[high] -= 1
        cdf[high] = below[high]
        below[high] = _cdf_before(n[high], k[high], p[high])
        high = below >= qq
    mass = stats.nbinom.pmf(k, n, p)
    frac = np.divide(qq - below, mass, out=np.zeros(k.shape), where=mass > 0)
    return np.clip(k - 0.5 + frac, 0.0, None)


def _cdf_before(n: np.ndarray, k: np.ndarray, p: np.ndarray) -> np.ndarray:
    """CDF(k - 1) of the negative binomial, 0 at k = 0 (where it is never >= a quantile level)."""
    return np.where(k > 0, special.betainc(n, np.maximum(k, 1.0), p), 0.0)


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
