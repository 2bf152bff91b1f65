"""A batch's settings: the library's stage configs, the aspects to make, and what shapes the output."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields

from ..config import AnalyzeConfig, Aspect, PlanConfig, RenderConfig
from ..errors import UsageError
from ..pipeline import parse_aspects


@dataclass(frozen=True)
class BatchSettings:
    """How every file of a batch is converted.

    Each file is analysed once with ``analyze``, planned with ``plan`` at
    each of ``aspects`` (``plan.aspect`` alone when none are given; a text
    such as ``"9:16,4:5"`` lists several) and encoded with ``render``;
    ``render.overwrite`` also replaces existing outputs the batch did not
    make. ``save_paths`` keeps each crop path JSON beside its output.

    >>> s = BatchSettings(aspects="9:16,1:1", render=RenderConfig(crf=22))
    >>> [str(a) for a in s.aspects], s.render.crf
    (['9:16', '1:1'], 22)
    """

    analyze: AnalyzeConfig = AnalyzeConfig()
    plan: PlanConfig = PlanConfig()
    render: RenderConfig = RenderConfig()
    aspects: tuple[Aspect, ...] | str | None = None
    save_paths: bool = False

    def __post_init__(self) -> None:
        aspects = parse_aspects(self.aspects if self.aspects is not None else self.plan.aspect)
        object.__setattr__(self, "aspects", tuple(aspects))

    @classmethod
    def from_options(cls, options: Mapping) -> BatchSettings:
        """The flat keyword form (fields of the three configs, ``aspect``, ``save_paths``, ``overwrite``)."""
        opts = dict(options)
        aspects = tuple(parse_aspects(opts.pop("aspect", opts.pop("aspects", "9:16"))))
        overwrite = bool(opts.pop("overwrite", False))
        save_paths = bool(opts.pop("save_paths", False))
        split: dict[type, dict] = {}
        for config in (AnalyzeConfig, PlanConfig, RenderConfig):
            names = {f.name for f in fields(config)} - {"aspect", "overwrite"}
            split[config] = {k: opts.pop(k) for k in list(opts) if k in names}
        if opts:
            raise UsageError(f"unknown option(s): {', '.join(sorted(opts))}")
        return cls(
            AnalyzeConfig(**split[AnalyzeConfig]), PlanConfig(**split[PlanConfig]),
            RenderConfig(**split[RenderConfig], overwrite=overwrite), aspects, save_paths,
        )

    def canonical(self) -> dict:
        """Every setting that shapes the output, defaults filled in, with the reframe version.

        What is the same for every aspect (the plan's own aspect) and what
        does not change the output (overwrite) is left out, so that neither
        makes a done file look out of date.
        """
        from .. import __version__

        plan = asdict(self.plan)
        plan.pop("aspect")
        render = asdict(self.render)
        render.pop("overwrite")
        return {
            "reframe": __version__, "aspects": [str(a) for a in self.aspects], "save_paths": self.save_paths,
            "analyze": asdict(self.analyze), "plan": plan, "render": render,
        }

    @property
    def fingerprint(self) -> str:
        """A hash of :meth:`canonical`: a done file whose recorded fingerprint differs is converted again."""
        return hashlib.sha256(json.dumps(self.canonical(), sort_keys=True, default=str).encode()).hexdigest()
