"""``python -m redact.service``: start the HTTP service (the same as ``redact serve``).

Every option is a setting of ``ServiceSettings``; its default and environment variable are there."""

from __future__ import annotations

import argparse
import logging

from . import run
from .settings import OPTIONS, ServiceSettings, flag


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m redact.service", description=__doc__)
    for name, (default, opt) in OPTIONS.items():
        if opt.type is bool:  # a flag: --allow-reveal turns on, --no-warm turns off
            action = "store_false" if default else "store_true"
            p.add_argument(flag(name), dest=name, action=action, default=None, help=opt.help)
            continue
        shown = f" [default: {default}]" if default is not None and not opt.env else ""
        p.add_argument(
            flag(name),
            dest=name,
            type=opt.type,
            default=None,  # None: not given (the environment, then the default, decide)
            choices=list(opt.choices) or None,
            help=opt.help + shown,
        )
    return p


def main(argv: "list[str] | None" = None) -> None:
    p = parser()
    a = p.parse_args(argv)
    try:
        settings = ServiceSettings.from_env(**vars(a))
    except ValueError as e:
        p.error(str(e))
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    run(settings=settings)


if __name__ == "__main__":
    main()
